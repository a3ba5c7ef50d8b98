//! The conformance suite every leveling store must pass.
//!
//! Each behaviour is a `pub async fn` named as a sentence, taking a fresh, empty store. A
//! backend runs them all with one macro line in its tests:
//!
//! ```ignore
//! hearth_xp_engine::xp_store_suite!(|| async {
//!     let dir = tempfile::tempdir().unwrap();
//!     let store = SqliteStore::open(dir.path().join("t.db")).await.unwrap();
//!     (store, dir) // the second half is dropped after the test: a guard, or ()
//! });
//! ```
//!
//! The macro expands into one `#[tokio::test(flavor = "multi_thread", worker_threads = 4)]`
//! per behaviour, so the calling crate needs `tokio` as a dev-dependency with the `macros` and
//! `rt-multi-thread` features. The parallel behaviours (module `parallel`) take two handles on
//! the same data ([`Fixture::second_handle`]) and a [`Spawn`]er backed by `tokio::spawn`, so
//! their tasks really run at once on several threads. Attributes in brackets before the
//! factory (for example `[#[cfg_attr(miri, ignore)]] factory`) are put on every test.
//!
//! Every function panics, as a test does, when the store breaks the behaviour it describes or
//! returns an error.

// Panicking is what these functions are for; the module doc says so once.
#![allow(clippy::missing_panics_doc)]

mod parallel;

use std::time::Duration;

use futures_util::future::join_all;
use hearth_core::{ChannelId, GuildId, MessageId, RoleId, Timestamp, UserId};

pub use self::parallel::{
    concurrent_admin_changes_to_one_member_all_apply,
    concurrent_changes_of_different_level_roles_all_stick,
    concurrent_grants_for_different_members_all_count,
    concurrent_messages_within_one_cooldown_grant_once,
    concurrent_replays_of_one_message_through_two_handles_grant_once,
};
use crate::{
    Activity, Adjusted, Announce, Boost, BoostId, BoostScope, BoostStore, Day, GrantOutcome,
    GrantRequest, LevelSettings, LevelSettingsStore, MemberXp, Multiplier, NewBoost, Ranked,
    RoleMode, SettingsChange, Template, XP_COOLDOWN, XP_MAX, XpChange, XpRate, XpStore,
};

#[doc(hidden)]
pub use hearth_core::__store_suite;
pub use hearth_core::testkit::{Fixture, Spawn};

const GUILD: GuildId = GuildId::new(1_000);
const OTHER_GUILD: GuildId = GuildId::new(2_000);
const ALICE: UserId = UserId::new(11);
const BOB: UserId = UserId::new(12);
const CAROL: UserId = UserId::new(13);

/// 2023-11-14T22:13:20Z, a Tuesday: the suite's "now".
const BASE_SECS: i64 = 1_700_000_000;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_secs(BASE_SECS + secs)
}

/// The id of a message sent at `at` (the snowflake's timestamp bits; `seq` fills the low
/// bits so two messages of one millisecond differ).
fn message_at(at: Timestamp, seq: u64) -> MessageId {
    let since_epoch = at.unix_millis() - Timestamp::DISCORD_EPOCH.unix_millis();
    let since_epoch = u64::try_from(since_epoch).expect("after Discord's epoch");
    MessageId::new((since_epoch << 22) | (seq & 0x3F_FFFF))
}

fn grant(guild: GuildId, user: UserId, secs: i64, amount: u64) -> GrantRequest {
    GrantRequest {
        guild,
        user,
        at: at(secs),
        amount,
        cooldown: XP_COOLDOWN,
    }
}

/// Grants that must be stored, and returns the member after it.
async fn granted(store: &impl XpStore, request: GrantRequest) -> MemberXp {
    let outcome = store.grant(request).await.unwrap();
    assert!(outcome.granted, "{request:?} was due but not granted");
    outcome.after
}

/// Sets a member's XP.
async fn set(store: &impl XpStore, guild: GuildId, user: UserId, xp: u64) {
    store.adjust(guild, user, XpChange::Set(xp)).await.unwrap();
}

fn users(rows: &[Ranked]) -> Vec<u64> {
    rows.iter().map(|r| r.user.get()).collect()
}

/// A member's first grant stores the amount, counts one message, starts the cooldown, and
/// comes back with the zero record before and the record after.
pub async fn first_grant_stores_the_amount_and_returns_before_and_after(store: &impl XpStore) {
    let outcome = store.grant(grant(GUILD, ALICE, 0, 20)).await.unwrap();
    let after = MemberXp {
        xp: 20,
        messages: 1,
        last_grant_at: Some(at(0)),
        ..MemberXp::new(GUILD, ALICE)
    };
    assert_eq!(
        outcome,
        GrantOutcome {
            granted: true,
            before: MemberXp::new(GUILD, ALICE),
            after,
        }
    );
    assert_eq!(store.member(GUILD, ALICE).await.unwrap(), Some(after));
    let second = store.grant(grant(GUILD, ALICE, 60, 15)).await.unwrap();
    assert_eq!(second.before, after);
    assert_eq!((second.after.xp, second.after.messages), (35, 2));
}

/// The same message again (same time: a replayed or duplicated event) stores nothing and
/// reports the member as stored.
pub async fn a_replayed_grant_stores_nothing(store: &impl XpStore) {
    let first = granted(store, grant(GUILD, ALICE, 0, 20)).await;
    let replay = store.grant(grant(GUILD, ALICE, 0, 25)).await.unwrap();
    assert_eq!(
        replay,
        GrantOutcome {
            granted: false,
            before: first,
            after: first,
        }
    );
    assert_eq!(store.member(GUILD, ALICE).await.unwrap(), Some(first));
}

/// Within the cooldown nothing is stored, to the millisecond; from the cooldown's end on a
/// grant is; an older message arriving late stores nothing.
pub async fn the_cooldown_is_measured_between_message_times(store: &impl XpStore) {
    granted(store, grant(GUILD, ALICE, 0, 20)).await;
    let mut early = grant(GUILD, ALICE, 60, 20);
    early.at = Timestamp::from_unix_millis(early.at.unix_millis() - 1);
    assert!(!store.grant(early).await.unwrap().granted);
    let on_time = granted(store, grant(GUILD, ALICE, 60, 20)).await;
    assert_eq!(on_time.xp, 40);
    assert!(
        !store
            .grant(grant(GUILD, ALICE, 30, 20))
            .await
            .unwrap()
            .granted
    );
    let mut zero = grant(GUILD, ALICE, 60, 20);
    zero.cooldown = Duration::ZERO;
    assert!(
        !store.grant(zero).await.unwrap().granted,
        "a replay with no cooldown"
    );
    zero.at = at(61);
    assert!(store.grant(zero).await.unwrap().granted);
}

/// XP saturates at [`XP_MAX`] instead of overflowing.
pub async fn grants_saturate_at_xp_max(store: &impl XpStore) {
    set(store, GUILD, ALICE, XP_MAX - 10).await;
    let after = granted(store, grant(GUILD, ALICE, 0, 25)).await;
    assert_eq!(after.xp, XP_MAX);
    let after = granted(store, grant(GUILD, ALICE, 60, u64::MAX)).await;
    assert_eq!(after.xp, XP_MAX);
}

/// One member's cooldown or XP never affects another member or guild.
pub async fn grants_are_isolated_per_guild_and_member(store: &impl XpStore) {
    granted(store, grant(GUILD, ALICE, 0, 20)).await;
    granted(store, grant(GUILD, BOB, 0, 15)).await;
    granted(store, grant(OTHER_GUILD, ALICE, 0, 25)).await;
    let xp = |m: Option<MemberXp>| m.map(|m| m.xp);
    assert_eq!(xp(store.member(GUILD, ALICE).await.unwrap()), Some(20));
    assert_eq!(xp(store.member(GUILD, BOB).await.unwrap()), Some(15));
    assert_eq!(
        xp(store.member(OTHER_GUILD, ALICE).await.unwrap()),
        Some(25)
    );
    assert_eq!(store.member(OTHER_GUILD, BOB).await.unwrap(), None);
}

/// Twenty grants for one member at one time, awaited together on one handle: exactly one is
/// stored.
pub async fn simultaneous_grants_on_one_handle_grant_once(store: &impl XpStore) {
    let outcomes = join_all((0..20).map(|_| store.grant(grant(GUILD, ALICE, 0, 20)))).await;
    let granted = outcomes
        .iter()
        .filter(|o| o.as_ref().unwrap().granted)
        .count();
    assert_eq!(granted, 1);
    let member = store.member(GUILD, ALICE).await.unwrap().unwrap();
    assert_eq!((member.xp, member.messages), (20, 1));
}

/// Set, add, remove and reset apply within 0 to [`XP_MAX`], return before and after, and
/// keep the cooldown; a member with no record starts from zero.
pub async fn admin_changes_apply_within_bounds_and_keep_the_cooldown(store: &impl XpStore) {
    assert_eq!(store.member(GUILD, ALICE).await.unwrap(), None);
    let added = store.adjust(GUILD, ALICE, XpChange::Add(50)).await.unwrap();
    assert_eq!(
        added,
        Adjusted {
            before: MemberXp::new(GUILD, ALICE),
            after: MemberXp {
                xp: 50,
                ..MemberXp::new(GUILD, ALICE)
            },
        }
    );
    let after_grant = granted(store, grant(GUILD, ALICE, 0, 20)).await;
    let removed = store
        .adjust(GUILD, ALICE, XpChange::Remove(500))
        .await
        .unwrap();
    assert_eq!((removed.before, removed.after.xp), (after_grant, 0));
    let set_high = store
        .adjust(GUILD, ALICE, XpChange::Set(u64::MAX))
        .await
        .unwrap();
    assert_eq!(set_high.after.xp, XP_MAX);
    let added = store
        .adjust(GUILD, ALICE, XpChange::Add(u64::MAX))
        .await
        .unwrap();
    assert_eq!(added.after.xp, XP_MAX);
    let reset = store.adjust(GUILD, ALICE, XpChange::Reset).await.unwrap();
    assert_eq!((reset.after.xp, reset.after.messages), (0, 0));
    assert_eq!(reset.after.last_grant_at, Some(at(0)));
    // The cooldown survived every change.
    assert!(
        !store
            .grant(grant(GUILD, ALICE, 30, 20))
            .await
            .unwrap()
            .granted
    );
}

/// Resetting a guild zeroes its members only, counts those who had XP, and a second reset
/// counts 0.
pub async fn resetting_a_guild_zeroes_its_members_only(store: &impl XpStore) {
    set(store, GUILD, ALICE, 100).await;
    set(store, GUILD, BOB, 200).await;
    set(store, GUILD, CAROL, 0).await;
    set(store, OTHER_GUILD, ALICE, 300).await;
    assert_eq!(store.reset_guild(GUILD).await.unwrap(), 2);
    assert_eq!(store.reset_guild(GUILD).await.unwrap(), 0);
    assert_eq!(store.member(GUILD, BOB).await.unwrap().unwrap().xp, 0);
    assert_eq!(store.ranked_members(GUILD).await.unwrap(), 0);
    assert_eq!(
        store.member(OTHER_GUILD, ALICE).await.unwrap().unwrap().xp,
        300
    );
}

/// The leaderboard lists XP highest first, equal XP by lowest user id, with ranks from 1;
/// pages by offset and limit; empty past the end; members with 0 XP are left out.
pub async fn leaderboard_orders_by_xp_then_user_id(store: &impl XpStore) {
    for (user, xp) in [(5, 300), (3, 100), (9, 300), (1, 200), (7, 0), (2, 100)] {
        set(store, GUILD, UserId::new(user), xp).await;
    }
    set(store, OTHER_GUILD, UserId::new(4), 1_000).await;
    let all = store.leaderboard(GUILD, 0, 100).await.unwrap();
    assert_eq!(users(&all), [5, 9, 1, 2, 3]);
    assert_eq!(
        all.iter().map(|r| r.rank).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        all[0],
        Ranked {
            rank: 1,
            user: UserId::new(5),
            xp: 300
        }
    );
    let second_page = store.leaderboard(GUILD, 2, 2).await.unwrap();
    assert_eq!(users(&second_page), [1, 2]);
    assert_eq!(second_page[0].rank, 3);
    assert!(store.leaderboard(GUILD, 5, 10).await.unwrap().is_empty());
    assert_eq!(store.ranked_members(GUILD).await.unwrap(), 5);
    assert_eq!(store.ranked_members(GuildId::new(3)).await.unwrap(), 0);
}

/// A member's rank is their row on the leaderboard; `None` with 0 XP or no record.
pub async fn rank_is_the_position_on_the_leaderboard(store: &impl XpStore) {
    for (user, xp) in [(5, 300), (3, 100), (9, 300), (1, 200), (7, 0)] {
        set(store, GUILD, UserId::new(user), xp).await;
    }
    let rank = |u| store.rank(GUILD, UserId::new(u));
    assert_eq!(
        rank(9).await.unwrap(),
        Some(Ranked {
            rank: 2,
            user: UserId::new(9),
            xp: 300
        })
    );
    assert_eq!(rank(3).await.unwrap().map(|r| r.rank), Some(4));
    assert_eq!(rank(7).await.unwrap(), None);
    assert_eq!(rank(8).await.unwrap(), None);
    assert_eq!(store.rank(OTHER_GUILD, UserId::new(5)).await.unwrap(), None);
}

/// The global leaderboard sums each user's XP over contributing guilds, leaves out guilds
/// that opted out and users who opted out (and ranks without them), and follows the changes
/// of both opt-outs.
pub async fn global_leaderboard_sums_guilds_and_respects_both_opt_outs<S>(store: &S)
where
    S: XpStore + LevelSettingsStore,
{
    let third = GuildId::new(3_000);
    set(store, GUILD, ALICE, 100).await;
    set(store, OTHER_GUILD, ALICE, 150).await;
    set(store, GUILD, BOB, 200).await;
    set(store, third, CAROL, 500).await;
    set(store, third, BOB, 1_000).await;
    let board = store.global_leaderboard(0, 10).await.unwrap();
    assert_eq!(
        board
            .iter()
            .map(|r| (r.rank, r.user.get(), r.xp))
            .collect::<Vec<_>>(),
        [(1, 12, 1_200), (2, 13, 500), (3, 11, 250)]
    );
    store
        .update_level_settings(third, &SettingsChange::global_leaderboard(false))
        .await
        .unwrap();
    assert!(!store.global_opt_out(ALICE).await.unwrap());
    store.set_global_opt_out(ALICE, true).await.unwrap();
    assert!(store.global_opt_out(ALICE).await.unwrap());
    let board = store.global_leaderboard(0, 10).await.unwrap();
    assert_eq!(
        board
            .iter()
            .map(|r| (r.rank, r.user.get(), r.xp))
            .collect::<Vec<_>>(),
        [(1, 12, 200)]
    );
    assert_eq!(store.global_ranked_users().await.unwrap(), 1);
    // Opting out hides, it doesn't change a guild's own leaderboard.
    assert_eq!(
        store.rank(GUILD, ALICE).await.unwrap().map(|r| r.rank),
        Some(2)
    );
    store.set_global_opt_out(ALICE, false).await.unwrap();
    store
        .update_level_settings(third, &SettingsChange::global_leaderboard(true))
        .await
        .unwrap();
    assert_eq!(users(&store.global_leaderboard(1, 1).await.unwrap()), [13]);
    assert_eq!(store.global_ranked_users().await.unwrap(), 3);
    assert!(store.global_leaderboard(3, 10).await.unwrap().is_empty());
}

/// Activity counts granted messages per UTC day and each member once a day; refused grants
/// and admin changes count nothing; days without grants are left out; the range is
/// inclusive and oldest first.
pub async fn activity_counts_grants_per_day_and_members_once(store: &impl XpStore) {
    let day = Day::of(at(0));
    let start = (day.start().unix_millis() / 1000) - BASE_SECS;
    // Day 0: Alice twice, Bob once, one replay and one admin change.
    granted(store, grant(GUILD, ALICE, start, 20)).await;
    granted(store, grant(GUILD, ALICE, start + 60, 20)).await;
    assert!(
        !store
            .grant(grant(GUILD, ALICE, start + 60, 20))
            .await
            .unwrap()
            .granted
    );
    granted(store, grant(GUILD, BOB, start + 86_399, 20)).await;
    set(store, GUILD, CAROL, 500).await;
    // Day 2: Bob; Alice just after midnight. Another guild's grant on day 1.
    granted(store, grant(GUILD, BOB, start + 2 * 86_400, 20)).await;
    granted(store, grant(GUILD, ALICE, start + 2 * 86_400 + 1, 20)).await;
    granted(store, grant(OTHER_GUILD, ALICE, start + 86_400, 20)).await;
    let next = |d: Day, n: i64| Day(d.0 + n);
    assert_eq!(
        store
            .activity(GUILD, next(day, -5), next(day, 5))
            .await
            .unwrap(),
        [
            Activity {
                day,
                messages: 3,
                active_members: 2
            },
            Activity {
                day: next(day, 2),
                messages: 2,
                active_members: 2
            },
        ]
    );
    assert_eq!(
        store
            .activity(GUILD, next(day, 1), next(day, 2))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .activity(GUILD, next(day, 2), day)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .activity(OTHER_GUILD, day, next(day, 1))
            .await
            .unwrap(),
        [Activity {
            day: next(day, 1),
            messages: 1,
            active_members: 1
        }]
    );
}

/// Deleting a user's data removes their records in every guild and their opt-out, nobody
/// else's; a second call removes nothing.
pub async fn deleting_user_data_removes_their_records_everywhere(store: &impl XpStore) {
    granted(store, grant(GUILD, ALICE, 0, 20)).await;
    set(store, OTHER_GUILD, ALICE, 40).await;
    set(store, GUILD, BOB, 30).await;
    store.set_global_opt_out(ALICE, true).await.unwrap();
    assert_eq!(store.delete_user_data(ALICE).await.unwrap(), 2);
    assert_eq!(store.member(GUILD, ALICE).await.unwrap(), None);
    assert_eq!(store.member(OTHER_GUILD, ALICE).await.unwrap(), None);
    assert!(!store.global_opt_out(ALICE).await.unwrap());
    assert_eq!(store.member(GUILD, BOB).await.unwrap().unwrap().xp, 30);
    assert_eq!(store.delete_user_data(ALICE).await.unwrap(), 0);
    assert_eq!(users(&store.leaderboard(GUILD, 0, 10).await.unwrap()), [12]);
}

/// A guild that never saved settings reads as `None`.
pub async fn unsaved_settings_read_as_none(store: &impl LevelSettingsStore) {
    assert_eq!(store.level_settings(GUILD).await.unwrap(), None);
}

/// A change writes the fields it names, starting from the defaults, and returns the settings
/// after it; every field reads back equal; a later change of one field keeps the others.
pub async fn settings_changes_write_their_fields_and_return_the_result(
    store: &impl LevelSettingsStore,
) {
    let rate = XpRate::new(Multiplier::from_percent(250)).unwrap();
    let first = store
        .update_level_settings(GUILD, &SettingsChange::rate(rate))
        .await
        .unwrap();
    let mut expected = LevelSettings {
        rate,
        ..LevelSettings::default()
    };
    assert_eq!(first, expected, "the other fields start from the defaults");
    let template = Template::parse("{user} → {level} ({rank}) ✨ Ωж").unwrap();
    let changes = [
        SettingsChange::announce(Announce::Channel(ChannelId::new(77))),
        SettingsChange::template(template.clone()),
        SettingsChange::no_xp_channels(vec![ChannelId::new(3), ChannelId::new(4)]).unwrap(),
        SettingsChange::no_xp_roles(vec![RoleId::new(5)]).unwrap(),
        SettingsChange::role_mode(RoleMode::Replace),
        SettingsChange::global_leaderboard(false),
        SettingsChange::level_role(5, Some(RoleId::new(50))),
        SettingsChange::level_role(10, Some(RoleId::new(100))),
    ];
    for change in &changes {
        let after = store.update_level_settings(GUILD, change).await.unwrap();
        expected = change.apply(expected);
        assert_eq!(after, expected, "{change:?}");
    }
    assert_eq!(expected.template, template);
    assert_eq!(expected.level_roles.len(), 2);
    let cleared = SettingsChange::level_role(5, None);
    expected = cleared.apply(expected);
    assert_eq!(
        store.update_level_settings(GUILD, &cleared).await.unwrap(),
        expected
    );
    assert_eq!(store.level_settings(GUILD).await.unwrap(), Some(expected));
}

/// One guild's settings never show up for another.
pub async fn settings_are_isolated_per_guild(store: &impl LevelSettingsStore) {
    store
        .update_level_settings(GUILD, &SettingsChange::role_mode(RoleMode::Replace))
        .await
        .unwrap();
    assert_eq!(store.level_settings(OTHER_GUILD).await.unwrap(), None);
}

fn boost(id: u64, guild: GuildId, start: i64, secs: u64, scope: BoostScope) -> Boost {
    NewBoost {
        id: BoostId(id),
        guild,
        multiplier: Multiplier::from_percent(200),
        starts_at: at(start),
        duration: Duration::from_secs(secs),
        scope,
    }
    .check()
    .expect("a valid boost")
}

/// Boosts come back with every field, listed by start time until they end (a boost ending
/// exactly now has ended), per guild; removing returns the boost, and `None` for an unknown
/// one.
pub async fn boosts_are_listed_until_they_end_and_removed(store: &impl BoostStore) {
    let later = boost(1, GUILD, 600, 3_600, BoostScope::Channel(ChannelId::new(9)));
    let now_running = boost(2, GUILD, 0, 300, BoostScope::Role(RoleId::new(8)));
    let whole = boost(3, GUILD, 0, 60, BoostScope::Guild);
    let elsewhere = boost(4, OTHER_GUILD, 0, 60, BoostScope::Guild);
    for b in [later, now_running, whole, elsewhere] {
        assert_eq!(store.add_boost(b).await.unwrap(), b);
    }
    assert_eq!(
        store.boosts(GUILD, at(10)).await.unwrap(),
        [now_running, whole, later]
    );
    assert_eq!(
        store.boosts(GUILD, at(60)).await.unwrap(),
        [now_running, later]
    );
    assert_eq!(store.boosts(GUILD, at(4_200)).await.unwrap(), []);
    assert_eq!(
        store.remove_boost(GUILD, BoostId(2)).await.unwrap(),
        Some(now_running)
    );
    assert_eq!(store.remove_boost(GUILD, BoostId(2)).await.unwrap(), None);
    assert_eq!(store.remove_boost(GUILD, BoostId(4)).await.unwrap(), None);
    assert_eq!(store.boosts(GUILD, at(10)).await.unwrap(), [whole, later]);
    assert_eq!(
        store.boosts(OTHER_GUILD, at(10)).await.unwrap(),
        [elsewhere]
    );
}

/// Adding a boost whose id the guild already holds stores nothing and returns the stored one;
/// the same id in another guild is another boost.
pub async fn adding_a_boost_twice_stores_it_once(store: &impl BoostStore) {
    let original = boost(7, GUILD, 0, 600, BoostScope::Guild);
    store.add_boost(original).await.unwrap();
    let retry = boost(7, GUILD, 30, 60, BoostScope::Guild);
    assert_eq!(store.add_boost(retry).await.unwrap(), original);
    assert_eq!(store.boosts(GUILD, at(0)).await.unwrap(), [original]);
    let elsewhere = boost(7, OTHER_GUILD, 30, 60, BoostScope::Guild);
    assert_eq!(store.add_boost(elsewhere).await.unwrap(), elsewhere);
}

/// Runs the whole conformance suite as `#[tokio::test]`s against stores made by a factory.
///
/// The factory is an expression callable with no arguments that returns a future of a
/// [`Fixture`] (a `(store, guard)` pair works). Attributes in brackets before it go on every
/// test: `xp_store_suite!([#[cfg_attr(miri, ignore)]] factory)`. (The brackets keep the
/// matcher unambiguous: an expression may itself start with an attribute.)
///
/// For a store that needs a server, `xp_store_suite!([] optional factory)` takes a factory
/// whose future returns `Option<Fixture>`: on `None` the test returns at once, and the factory
/// is responsible for saying loudly that it did not run (or for failing instead under
/// `CI=true`).
#[macro_export]
macro_rules! xp_store_suite {
    ([$(#[$attr:meta])*] optional $factory:expr) => {
        $crate::__xp_store_suite! { @all [$(#[$attr])*] (optional $factory) }
    };
    ([$(#[$attr:meta])*] $factory:expr) => {
        $crate::__xp_store_suite! { @all [$(#[$attr])*] (required $factory) }
    };
    ($factory:expr) => {
        $crate::xp_store_suite!([] $factory);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __xp_store_suite {
    (@all [$($attr:tt)*] $factory:tt) => {
        $crate::__xp_store_suite! {
            [$($attr)*] $factory;
            first_grant_stores_the_amount_and_returns_before_and_after,
            a_replayed_grant_stores_nothing,
            the_cooldown_is_measured_between_message_times,
            grants_saturate_at_xp_max,
            grants_are_isolated_per_guild_and_member,
            simultaneous_grants_on_one_handle_grant_once,
            admin_changes_apply_within_bounds_and_keep_the_cooldown,
            resetting_a_guild_zeroes_its_members_only,
            leaderboard_orders_by_xp_then_user_id,
            rank_is_the_position_on_the_leaderboard,
            global_leaderboard_sums_guilds_and_respects_both_opt_outs,
            activity_counts_grants_per_day_and_members_once,
            deleting_user_data_removes_their_records_everywhere,
            unsaved_settings_read_as_none,
            settings_changes_write_their_fields_and_return_the_result,
            settings_are_isolated_per_guild,
            boosts_are_listed_until_they_end_and_removed,
            adding_a_boost_twice_stores_it_once,
        }
        $crate::__xp_store_suite! {
            @parallel [$($attr)*] $factory;
            concurrent_replays_of_one_message_through_two_handles_grant_once,
            concurrent_messages_within_one_cooldown_grant_once,
            concurrent_grants_for_different_members_all_count,
            concurrent_admin_changes_to_one_member_all_apply,
            concurrent_changes_of_different_level_roles_all_stick,
        }
    };
    // The test generators are hearth-core's, shared by every domain crate.
    ([$($attr:tt)*] $factory:tt; $($name:ident,)*) => {
        $crate::testkit::__store_suite! { [$crate] [$($attr)*] $factory; $($name,)* }
    };
    (@parallel [$($attr:tt)*] $factory:tt; $($name:ident,)*) => {
        $crate::testkit::__store_suite! { @parallel [$crate] [$($attr)*] $factory; $($name,)* }
    };
}
