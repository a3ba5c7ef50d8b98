//! The conformance suite every moderation store must pass.
//!
//! Each behaviour is a `pub async fn` named as a sentence, taking a fresh, empty store. A
//! backend runs them all with one macro line in its tests:
//!
//! ```ignore
//! hearth_moderation::moderation_store_suite!(|| async {
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

mod cases;
mod lockdowns;
mod parallel;

use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::future::join_all;
use hearth_core::{ChannelId, GuildId, Timestamp, UserId};

pub use self::cases::{
    a_cases_reason_and_log_message_can_be_set, a_replayed_case_is_recorded_once,
    cases_are_numbered_after_warnings_with_all_fields, concurrent_cases_get_distinct_numbers,
};
pub use self::lockdowns::{
    a_lockdown_keeps_the_first_previous_overwrite_until_unlocked,
    concurrent_unlocks_hand_the_lockdown_to_one,
};
pub use self::parallel::{
    concurrent_changes_of_different_fields_both_stick,
    concurrent_replays_of_one_request_store_it_once, concurrent_warnings_escalate_exactly_once,
};
use crate::{
    AddedWarning, CaseNumber, EscalationPolicy, EscalationStep, ModerationSettings,
    ModerationSettingsStore, NewWarning, Punishment, REASON_MAX_CHARS, Reason, RequestId,
    SettingsChange, Warning, WarningList, WarningStore,
};

#[doc(hidden)]
pub use hearth_core::__store_suite;
pub use hearth_core::testkit::{Fixture, Spawn};

const GUILD: GuildId = GuildId::new(1_000);
const OTHER_GUILD: GuildId = GuildId::new(2_000);
const ALICE: UserId = UserId::new(11);
const BOB: UserId = UserId::new(12);
const MOD: UserId = UserId::new(99);

/// A fresh request id: every call gives another one (the request key a store must not
/// confuse).
fn fresh_request() -> RequestId {
    static NEXT: AtomicU64 = AtomicU64::new(1_000_000);
    RequestId(NEXT.fetch_add(1, Ordering::Relaxed))
}

fn warning(guild: GuildId, user: UserId, reason: &str, secs: i64) -> NewWarning {
    NewWarning {
        guild,
        user,
        moderator: MOD,
        reason: Reason::parse(reason).expect("test reasons are valid"),
        created_at: Timestamp::from_unix_secs(1_700_000_000 + secs),
        request: fresh_request(),
    }
}

/// Adds a warning that must be new, and returns it as stored.
async fn add(store: &impl WarningStore, new: NewWarning) -> Warning {
    let added = store.add_warning(new).await.unwrap();
    assert!(!added.replayed, "a fresh request was taken for a replay");
    added.warning
}

fn cases(list: &[Warning]) -> Vec<u64> {
    list.iter().map(|w| w.case.0).collect()
}

/// An added warning comes back with every field as given and case number 1.
pub async fn added_warning_is_returned_and_listed_with_all_fields(store: &impl WarningStore) {
    let new = warning(GUILD, ALICE, "posting invite links", 5);
    let added = store.add_warning(new.clone()).await.unwrap();
    let stored = new.with_case(CaseNumber(1));
    assert_eq!(
        added,
        AddedWarning {
            warning: stored.clone(),
            history: vec![stored.clone()],
            replayed: false,
        }
    );
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap().warnings,
        [stored]
    );
}

/// Each insert returns the member's warnings as it left them, newest first: its own and
/// those before it, not other members'.
pub async fn added_warning_comes_back_with_the_history_as_of_its_insert(store: &impl WarningStore) {
    let first = add(store, warning(GUILD, ALICE, "first", 10)).await;
    add(store, warning(GUILD, BOB, "bob's", 11)).await;
    add(store, warning(OTHER_GUILD, ALICE, "elsewhere", 12)).await;
    let second = store
        .add_warning(warning(GUILD, ALICE, "second", 5))
        .await
        .unwrap();
    assert_eq!(second.history, [first.clone(), second.warning.clone()]);
    let third = store
        .add_warning(warning(GUILD, ALICE, "third", 20))
        .await
        .unwrap();
    assert_eq!(
        third.history,
        [third.warning.clone(), first, second.warning]
    );
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap().warnings,
        third.history
    );
}

/// A second warning with a request the guild already holds stores nothing, takes no case
/// number, and returns the original warning and history, even after later warnings; the same
/// request in another guild is a new warning.
pub async fn a_replayed_request_stores_nothing_and_returns_the_original(store: &impl WarningStore) {
    let original_request = warning(GUILD, ALICE, "spam", 0);
    let original = store.add_warning(original_request.clone()).await.unwrap();
    let later = add(store, warning(GUILD, ALICE, "more spam", 1)).await;
    let mut replay = warning(GUILD, ALICE, "typed again", 9);
    replay.request = original_request.request;
    let replayed = store.add_warning(replay.clone()).await.unwrap();
    assert_eq!(
        replayed,
        AddedWarning {
            replayed: true,
            ..original.clone()
        }
    );
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap().warnings,
        [later, original.warning]
    );
    // No case number was burned by the replay.
    assert_eq!(
        add(store, warning(GUILD, BOB, "x", 2)).await.case,
        CaseNumber(3)
    );
    replay.guild = OTHER_GUILD;
    let elsewhere = store.add_warning(replay).await.unwrap();
    assert!(!elsewhere.replayed);
    assert_eq!(elsewhere.warning.case, CaseNumber(1));
}

/// The request key goes with its warning: once removed, the same request stores a new one.
pub async fn a_request_whose_warning_was_removed_is_stored_again(store: &impl WarningStore) {
    let new = warning(GUILD, ALICE, "x", 0);
    let first = add(store, new.clone()).await;
    store
        .remove_warning(GUILD, ALICE, first.case)
        .await
        .unwrap()
        .unwrap();
    let again = store.add_warning(new).await.unwrap();
    assert!(!again.replayed);
    assert_eq!(again.warning.case, CaseNumber(2));
}

/// Reasons of the maximum length, in any script, are stored unchanged.
pub async fn longest_reason_in_any_script_is_kept_intact(store: &impl WarningStore) {
    let reason: String = "Ωж😀e".chars().cycle().take(REASON_MAX_CHARS).collect();
    add(store, warning(GUILD, ALICE, &reason, 0)).await;
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap().warnings[0].reason,
        reason
    );
}

/// A member with no warnings gets an empty list, not an error.
pub async fn member_without_warnings_has_an_empty_list(store: &impl WarningStore) {
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap(),
        WarningList::default()
    );
    add(store, warning(GUILD, BOB, "x", 0)).await;
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap(),
        WarningList::default()
    );
}

/// Warnings list newest first, whatever order they were added in.
pub async fn warnings_are_listed_newest_first(store: &impl WarningStore) {
    for secs in [20, 10, 30] {
        add(store, warning(GUILD, ALICE, "x", secs)).await;
    }
    let listed = store.warnings(GUILD, ALICE).await.unwrap();
    // What the store wrote itself always reads back: nothing is counted as unreadable.
    assert_eq!(listed.unreadable, 0);
    let list = listed.warnings;
    let times: Vec<i64> = list
        .iter()
        .map(|w| w.created_at.unix_secs() - 1_700_000_000)
        .collect();
    assert_eq!(times, [30, 20, 10]);
    assert_eq!(cases(&list), [3, 1, 2]);
}

/// Warnings given in the same millisecond list the higher case number first.
pub async fn equal_times_list_the_higher_case_first(store: &impl WarningStore) {
    for _ in 0..3 {
        add(store, warning(GUILD, ALICE, "x", 7)).await;
    }
    assert_eq!(
        cases(&store.warnings(GUILD, ALICE).await.unwrap().warnings),
        [3, 2, 1]
    );
}

/// Case numbers count up from 1 per guild, across members.
pub async fn case_numbers_are_sequential_per_guild(store: &impl WarningStore) {
    let a = add(store, warning(GUILD, ALICE, "x", 0)).await;
    let b = add(store, warning(GUILD, BOB, "x", 1)).await;
    let c = add(store, warning(OTHER_GUILD, ALICE, "x", 2)).await;
    let d = add(store, warning(GUILD, ALICE, "x", 3)).await;
    assert_eq!([a.case, b.case, c.case, d.case].map(|c| c.0), [1, 2, 1, 3]);
}

/// Twenty warnings given at once get the case numbers 1 to 20, each exactly once.
pub async fn concurrent_warnings_get_distinct_sequential_cases(store: &impl WarningStore) {
    let adds = (0..20).map(|i| {
        let user = if i % 2 == 0 { ALICE } else { BOB };
        add(store, warning(GUILD, user, "raid", i))
    });
    let mut numbers: Vec<u64> = join_all(adds).await.into_iter().map(|w| w.case.0).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>());
    let listed = store.warnings(GUILD, ALICE).await.unwrap().warnings.len()
        + store.warnings(GUILD, BOB).await.unwrap().warnings.len();
    assert_eq!(listed, 20);
}

/// A removed warning's case number is not handed out again.
pub async fn case_numbers_are_never_reused(store: &impl WarningStore) {
    add(store, warning(GUILD, ALICE, "x", 0)).await;
    let second = add(store, warning(GUILD, ALICE, "x", 1)).await;
    store
        .remove_warning(GUILD, ALICE, second.case)
        .await
        .unwrap()
        .unwrap();
    store.clear_warnings(GUILD, ALICE).await.unwrap();
    let next = add(store, warning(GUILD, ALICE, "x", 2)).await;
    assert_eq!(next.case, CaseNumber(3));
}

/// One guild's or member's warnings never show up for another.
pub async fn warnings_are_isolated_per_guild_and_member(store: &impl WarningStore) {
    add(store, warning(GUILD, ALICE, "in guild", 0)).await;
    add(store, warning(OTHER_GUILD, ALICE, "elsewhere", 1)).await;
    add(store, warning(GUILD, BOB, "bob", 2)).await;
    let reasons = |list: Vec<Warning>| list.into_iter().map(|w| w.reason).collect::<Vec<_>>();
    assert_eq!(
        reasons(store.warnings(GUILD, ALICE).await.unwrap().warnings),
        ["in guild"]
    );
    assert_eq!(
        reasons(store.warnings(OTHER_GUILD, ALICE).await.unwrap().warnings),
        ["elsewhere"]
    );
    assert_eq!(
        reasons(store.warnings(GUILD, BOB).await.unwrap().warnings),
        ["bob"]
    );
}

/// Removing a warning returns it and leaves the member's others in place.
pub async fn removing_a_warning_returns_it_and_keeps_the_rest(store: &impl WarningStore) {
    let first = add(store, warning(GUILD, ALICE, "first", 0)).await;
    let second = add(store, warning(GUILD, ALICE, "second", 1)).await;
    let third = add(store, warning(GUILD, ALICE, "third", 2)).await;
    assert_eq!(
        store
            .remove_warning(GUILD, ALICE, second.case)
            .await
            .unwrap(),
        Some(second)
    );
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap().warnings,
        [third, first]
    );
}

/// Removing a case that does not exist for that member and guild returns `None` and changes
/// nothing: an unknown number, another member's case, another guild's case.
pub async fn removing_an_unknown_warning_returns_none(store: &impl WarningStore) {
    let alices = add(store, warning(GUILD, ALICE, "x", 0)).await;
    assert_eq!(
        store
            .remove_warning(GUILD, ALICE, CaseNumber(42))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.remove_warning(GUILD, BOB, alices.case).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .remove_warning(OTHER_GUILD, ALICE, alices.case)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap().warnings,
        [alices]
    );
}

/// Clearing returns how many warnings there were, leaves others' alone, and a second clear
/// returns 0.
pub async fn clearing_warnings_counts_them_and_is_idempotent(store: &impl WarningStore) {
    for i in 0..3 {
        add(store, warning(GUILD, ALICE, "x", i)).await;
    }
    let bobs = add(store, warning(GUILD, BOB, "x", 9)).await;
    let elsewhere = add(store, warning(OTHER_GUILD, ALICE, "x", 9)).await;
    assert_eq!(store.clear_warnings(GUILD, ALICE).await.unwrap(), 3);
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap(),
        WarningList::default()
    );
    assert_eq!(store.clear_warnings(GUILD, ALICE).await.unwrap(), 0);
    assert_eq!(store.warnings(GUILD, BOB).await.unwrap().warnings, [bobs]);
    assert_eq!(
        store.warnings(OTHER_GUILD, ALICE).await.unwrap().warnings,
        [elsewhere]
    );
}

/// Deleting a user's data removes their warnings in every guild and nobody else's; the
/// warnings they gave as a moderator stay.
pub async fn deleting_user_data_removes_their_warnings_everywhere(store: &impl WarningStore) {
    add(store, warning(GUILD, ALICE, "x", 0)).await;
    add(store, warning(OTHER_GUILD, ALICE, "x", 1)).await;
    let mut given_by_alice = warning(GUILD, BOB, "x", 2);
    given_by_alice.moderator = ALICE;
    let bobs = add(store, given_by_alice).await;
    assert_eq!(store.delete_user_data(ALICE).await.unwrap(), 2);
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap(),
        WarningList::default()
    );
    assert!(
        store
            .warnings(OTHER_GUILD, ALICE)
            .await
            .unwrap()
            .warnings
            .is_empty()
    );
    assert_eq!(store.warnings(GUILD, BOB).await.unwrap().warnings, [bobs]);
    assert_eq!(store.delete_user_data(ALICE).await.unwrap(), 0);
}

/// A guild that never saved settings reads as `None`.
pub async fn unsaved_settings_read_as_none(store: &impl ModerationSettingsStore) {
    assert_eq!(store.moderation_settings(GUILD).await.unwrap(), None);
}

/// A change writes the fields it names, starting from the defaults, and returns the settings
/// after it; every field reads back equal; a later change of one field keeps the others.
pub async fn settings_changes_write_their_fields_and_return_the_result(
    store: &impl ModerationSettingsStore,
) {
    let policy = EscalationPolicy::new(vec![
        EscalationStep {
            warnings: 3,
            within: None,
            action: Punishment::Timeout {
                duration: std::time::Duration::from_secs(3_600),
            },
        },
        EscalationStep {
            warnings: 5,
            within: Some(std::time::Duration::from_secs(7 * 86_400)),
            action: Punishment::Kick,
        },
        EscalationStep {
            warnings: 7,
            within: None,
            action: Punishment::Ban {
                duration: Some(std::time::Duration::from_secs(86_400)),
            },
        },
        EscalationStep {
            warnings: 9,
            within: None,
            action: Punishment::Ban { duration: None },
        },
    ])
    .unwrap();
    let channel = store
        .update_moderation_settings(
            GUILD,
            &SettingsChange::mod_log_channel(Some(ChannelId::new(5))),
        )
        .await
        .unwrap();
    let mut expected = ModerationSettings {
        mod_log_channel: Some(ChannelId::new(5)),
        ..ModerationSettings::default()
    };
    assert_eq!(
        channel, expected,
        "the other fields start from the defaults"
    );
    let both = store
        .update_moderation_settings(GUILD, &SettingsChange::escalation(policy.clone()))
        .await
        .unwrap();
    expected.escalation = policy;
    assert_eq!(both, expected, "a change of one field keeps the other");
    assert_eq!(
        store.moderation_settings(GUILD).await.unwrap(),
        Some(expected.clone())
    );
    let off = store
        .update_moderation_settings(GUILD, &SettingsChange::mod_log_channel(None))
        .await
        .unwrap();
    expected.mod_log_channel = None;
    assert_eq!(off, expected);
    assert_eq!(
        store.moderation_settings(GUILD).await.unwrap(),
        Some(expected)
    );
}

/// One guild's settings never show up for another.
pub async fn settings_are_isolated_per_guild(store: &impl ModerationSettingsStore) {
    store
        .update_moderation_settings(
            GUILD,
            &SettingsChange::mod_log_channel(Some(ChannelId::new(5))),
        )
        .await
        .unwrap();
    assert_eq!(store.moderation_settings(OTHER_GUILD).await.unwrap(), None);
}

/// Runs the whole conformance suite as `#[tokio::test]`s against stores made by a factory.
///
/// The factory is an expression callable with no arguments that returns a future of a
/// [`Fixture`] (a `(store, guard)` pair works). Attributes in brackets before it go on every
/// test: `moderation_store_suite!([#[cfg_attr(miri, ignore)]] factory)`. (The brackets keep
/// the matcher unambiguous: an expression may itself start with an attribute.)
///
/// For a store that needs a server, `moderation_store_suite!([] optional factory)` takes a
/// factory whose future returns `Option<Fixture>`: on `None` the test returns at once, and the
/// factory is responsible for saying loudly that it did not run (or for failing instead, as
/// hearth-store-mongo does under `CI=true`).
#[macro_export]
macro_rules! moderation_store_suite {
    ([$(#[$attr:meta])*] optional $factory:expr) => {
        $crate::__moderation_store_suite! { @all [$(#[$attr])*] (optional $factory) }
    };
    ([$(#[$attr:meta])*] $factory:expr) => {
        $crate::__moderation_store_suite! { @all [$(#[$attr])*] (required $factory) }
    };
    ($factory:expr) => {
        $crate::moderation_store_suite!([] $factory);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __moderation_store_suite {
    (@all [$($attr:tt)*] $factory:tt) => {
        $crate::__moderation_store_suite! {
            [$($attr)*] $factory;
            added_warning_is_returned_and_listed_with_all_fields,
            added_warning_comes_back_with_the_history_as_of_its_insert,
            a_replayed_request_stores_nothing_and_returns_the_original,
            a_request_whose_warning_was_removed_is_stored_again,
            longest_reason_in_any_script_is_kept_intact,
            member_without_warnings_has_an_empty_list,
            warnings_are_listed_newest_first,
            equal_times_list_the_higher_case_first,
            case_numbers_are_sequential_per_guild,
            concurrent_warnings_get_distinct_sequential_cases,
            case_numbers_are_never_reused,
            warnings_are_isolated_per_guild_and_member,
            removing_a_warning_returns_it_and_keeps_the_rest,
            removing_an_unknown_warning_returns_none,
            clearing_warnings_counts_them_and_is_idempotent,
            deleting_user_data_removes_their_warnings_everywhere,
            unsaved_settings_read_as_none,
            settings_changes_write_their_fields_and_return_the_result,
            settings_are_isolated_per_guild,
            cases_are_numbered_after_warnings_with_all_fields,
            a_replayed_case_is_recorded_once,
            a_cases_reason_and_log_message_can_be_set,
            a_lockdown_keeps_the_first_previous_overwrite_until_unlocked,
        }
        $crate::__moderation_store_suite! {
            @parallel [$($attr)*] $factory;
            concurrent_warnings_escalate_exactly_once,
            concurrent_cases_get_distinct_numbers,
            concurrent_unlocks_hand_the_lockdown_to_one,
            concurrent_replays_of_one_request_store_it_once,
            concurrent_changes_of_different_fields_both_stick,
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
