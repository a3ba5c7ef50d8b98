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
//! The macro expands into one `#[tokio::test]` per behaviour (on the multi-threaded runtime,
//! so concurrency tests are real), so the calling crate needs `tokio` as a dev-dependency with
//! the `macros` and `rt-multi-thread` features. Attributes in brackets before the factory (for
//! example `[#[cfg_attr(no_server, ignore = "set MONGODB_URI")]] factory`) are put on every
//! test.
//!
//! Every function panics, as a test does, when the store breaks the behaviour it describes or
//! returns an error.

// Panicking is what these functions are for; the module doc says so once.
#![allow(clippy::missing_panics_doc)]

use std::future::Future;

use futures_util::future::join_all;
use hearth_core::{ChannelId, GuildId, Timestamp, UserId};

use crate::{
    CaseNumber, EscalationPolicy, EscalationStep, ModerationSettings, ModerationSettingsStore,
    NewWarning, Punishment, REASON_MAX_CHARS, Reason, Warning, WarningStore,
};

/// A store under test, with whatever must live as long as it (a temp dir, a database to drop).
pub trait Fixture: Send + Sized {
    /// The store type.
    type Store: WarningStore + ModerationSettingsStore;

    /// The store.
    fn store(&self) -> &Self::Store;

    /// Cleans up after a test that passed (a test that panicked leaves its data behind).
    fn teardown(self) -> impl Future<Output = ()> + Send;
}

impl<S: WarningStore + ModerationSettingsStore, G: Send> Fixture for (S, G) {
    type Store = S;

    fn store(&self) -> &S {
        &self.0
    }

    async fn teardown(self) {}
}

const GUILD: GuildId = GuildId::new(1_000);
const OTHER_GUILD: GuildId = GuildId::new(2_000);
const ALICE: UserId = UserId::new(11);
const BOB: UserId = UserId::new(12);
const MOD: UserId = UserId::new(99);

fn warning(guild: GuildId, user: UserId, reason: &str, secs: i64) -> NewWarning {
    NewWarning {
        guild,
        user,
        moderator: MOD,
        reason: Reason::parse(reason).expect("test reasons are valid"),
        created_at: Timestamp::from_unix_secs(1_700_000_000 + secs),
    }
}

fn cases(list: &[Warning]) -> Vec<u64> {
    list.iter().map(|w| w.case.0).collect()
}

/// An added warning comes back with every field as given and case number 1.
pub async fn added_warning_is_returned_and_listed_with_all_fields(store: &impl WarningStore) {
    let new = warning(GUILD, ALICE, "posting invite links", 5);
    let stored = store.add_warning(new.clone()).await.unwrap();
    assert_eq!(stored, new.with_case(CaseNumber(1)));
    assert_eq!(store.warnings(GUILD, ALICE).await.unwrap(), [stored]);
}

/// Reasons of the maximum length, in any script, are stored unchanged.
pub async fn longest_reason_in_any_script_is_kept_intact(store: &impl WarningStore) {
    let reason: String = "Ωж😀e".chars().cycle().take(REASON_MAX_CHARS).collect();
    store
        .add_warning(warning(GUILD, ALICE, &reason, 0))
        .await
        .unwrap();
    assert_eq!(
        store.warnings(GUILD, ALICE).await.unwrap()[0].reason,
        reason
    );
}

/// A member with no warnings gets an empty list, not an error.
pub async fn member_without_warnings_has_an_empty_list(store: &impl WarningStore) {
    assert!(store.warnings(GUILD, ALICE).await.unwrap().is_empty());
    store
        .add_warning(warning(GUILD, BOB, "x", 0))
        .await
        .unwrap();
    assert!(store.warnings(GUILD, ALICE).await.unwrap().is_empty());
}

/// Warnings list newest first, whatever order they were added in.
pub async fn warnings_are_listed_newest_first(store: &impl WarningStore) {
    for secs in [20, 10, 30] {
        store
            .add_warning(warning(GUILD, ALICE, "x", secs))
            .await
            .unwrap();
    }
    let list = store.warnings(GUILD, ALICE).await.unwrap();
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
        store
            .add_warning(warning(GUILD, ALICE, "x", 7))
            .await
            .unwrap();
    }
    assert_eq!(
        cases(&store.warnings(GUILD, ALICE).await.unwrap()),
        [3, 2, 1]
    );
}

/// Case numbers count up from 1 per guild, across members.
pub async fn case_numbers_are_sequential_per_guild(store: &impl WarningStore) {
    let a = store
        .add_warning(warning(GUILD, ALICE, "x", 0))
        .await
        .unwrap();
    let b = store
        .add_warning(warning(GUILD, BOB, "x", 1))
        .await
        .unwrap();
    let c = store
        .add_warning(warning(OTHER_GUILD, ALICE, "x", 2))
        .await
        .unwrap();
    let d = store
        .add_warning(warning(GUILD, ALICE, "x", 3))
        .await
        .unwrap();
    assert_eq!([a.case, b.case, c.case, d.case].map(|c| c.0), [1, 2, 1, 3]);
}

/// Twenty warnings given at once get the case numbers 1 to 20, each exactly once.
pub async fn concurrent_warnings_get_distinct_sequential_cases(store: &impl WarningStore) {
    let adds = (0..20).map(|i| {
        let user = if i % 2 == 0 { ALICE } else { BOB };
        store.add_warning(warning(GUILD, user, "raid", i))
    });
    let mut numbers: Vec<u64> = join_all(adds)
        .await
        .into_iter()
        .map(|w| w.unwrap().case.0)
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>());
    let listed = store.warnings(GUILD, ALICE).await.unwrap().len()
        + store.warnings(GUILD, BOB).await.unwrap().len();
    assert_eq!(listed, 20);
}

/// A removed warning's case number is not handed out again.
pub async fn case_numbers_are_never_reused(store: &impl WarningStore) {
    store
        .add_warning(warning(GUILD, ALICE, "x", 0))
        .await
        .unwrap();
    let second = store
        .add_warning(warning(GUILD, ALICE, "x", 1))
        .await
        .unwrap();
    store
        .remove_warning(GUILD, ALICE, second.case)
        .await
        .unwrap()
        .unwrap();
    store.clear_warnings(GUILD, ALICE).await.unwrap();
    let next = store
        .add_warning(warning(GUILD, ALICE, "x", 2))
        .await
        .unwrap();
    assert_eq!(next.case, CaseNumber(3));
}

/// One guild's or member's warnings never show up for another.
pub async fn warnings_are_isolated_per_guild_and_member(store: &impl WarningStore) {
    store
        .add_warning(warning(GUILD, ALICE, "in guild", 0))
        .await
        .unwrap();
    store
        .add_warning(warning(OTHER_GUILD, ALICE, "elsewhere", 1))
        .await
        .unwrap();
    store
        .add_warning(warning(GUILD, BOB, "bob", 2))
        .await
        .unwrap();
    let reasons = |list: Vec<Warning>| list.into_iter().map(|w| w.reason).collect::<Vec<_>>();
    assert_eq!(
        reasons(store.warnings(GUILD, ALICE).await.unwrap()),
        ["in guild"]
    );
    assert_eq!(
        reasons(store.warnings(OTHER_GUILD, ALICE).await.unwrap()),
        ["elsewhere"]
    );
    assert_eq!(reasons(store.warnings(GUILD, BOB).await.unwrap()), ["bob"]);
}

/// Removing a warning returns it and leaves the member's others in place.
pub async fn removing_a_warning_returns_it_and_keeps_the_rest(store: &impl WarningStore) {
    let first = store
        .add_warning(warning(GUILD, ALICE, "first", 0))
        .await
        .unwrap();
    let second = store
        .add_warning(warning(GUILD, ALICE, "second", 1))
        .await
        .unwrap();
    let third = store
        .add_warning(warning(GUILD, ALICE, "third", 2))
        .await
        .unwrap();
    assert_eq!(
        store
            .remove_warning(GUILD, ALICE, second.case)
            .await
            .unwrap(),
        Some(second)
    );
    assert_eq!(store.warnings(GUILD, ALICE).await.unwrap(), [third, first]);
}

/// Removing a case that does not exist for that member and guild returns `None` and changes
/// nothing: an unknown number, another member's case, another guild's case.
pub async fn removing_an_unknown_warning_returns_none(store: &impl WarningStore) {
    let alices = store
        .add_warning(warning(GUILD, ALICE, "x", 0))
        .await
        .unwrap();
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
    assert_eq!(store.warnings(GUILD, ALICE).await.unwrap(), [alices]);
}

/// Clearing returns how many warnings there were, leaves others' alone, and a second clear
/// returns 0.
pub async fn clearing_warnings_counts_them_and_is_idempotent(store: &impl WarningStore) {
    for i in 0..3 {
        store
            .add_warning(warning(GUILD, ALICE, "x", i))
            .await
            .unwrap();
    }
    let bobs = store
        .add_warning(warning(GUILD, BOB, "x", 9))
        .await
        .unwrap();
    let elsewhere = store
        .add_warning(warning(OTHER_GUILD, ALICE, "x", 9))
        .await
        .unwrap();
    assert_eq!(store.clear_warnings(GUILD, ALICE).await.unwrap(), 3);
    assert!(store.warnings(GUILD, ALICE).await.unwrap().is_empty());
    assert_eq!(store.clear_warnings(GUILD, ALICE).await.unwrap(), 0);
    assert_eq!(store.warnings(GUILD, BOB).await.unwrap(), [bobs]);
    assert_eq!(
        store.warnings(OTHER_GUILD, ALICE).await.unwrap(),
        [elsewhere]
    );
}

/// Deleting a user's data removes their warnings in every guild and nobody else's; the
/// warnings they gave as a moderator stay.
pub async fn deleting_user_data_removes_their_warnings_everywhere(store: &impl WarningStore) {
    store
        .add_warning(warning(GUILD, ALICE, "x", 0))
        .await
        .unwrap();
    store
        .add_warning(warning(OTHER_GUILD, ALICE, "x", 1))
        .await
        .unwrap();
    let mut given_by_alice = warning(GUILD, BOB, "x", 2);
    given_by_alice.moderator = ALICE;
    let bobs = store.add_warning(given_by_alice).await.unwrap();
    assert_eq!(store.delete_user_data(ALICE).await.unwrap(), 2);
    assert!(store.warnings(GUILD, ALICE).await.unwrap().is_empty());
    assert!(store.warnings(OTHER_GUILD, ALICE).await.unwrap().is_empty());
    assert_eq!(store.warnings(GUILD, BOB).await.unwrap(), [bobs]);
    assert_eq!(store.delete_user_data(ALICE).await.unwrap(), 0);
}

/// A guild that never saved settings reads as `None`.
pub async fn unsaved_settings_read_as_none(store: &impl ModerationSettingsStore) {
    assert_eq!(store.moderation_settings(GUILD).await.unwrap(), None);
}

/// Saved settings read back equal, every field included, and a second save replaces the first.
pub async fn settings_round_trip_and_are_replaced(store: &impl ModerationSettingsStore) {
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
    let first = ModerationSettings {
        mod_log_channel: Some(ChannelId::new(5)),
        escalation: policy,
    };
    store.set_moderation_settings(GUILD, &first).await.unwrap();
    assert_eq!(store.moderation_settings(GUILD).await.unwrap(), Some(first));
    let second = ModerationSettings {
        mod_log_channel: None,
        escalation: EscalationPolicy::none(),
    };
    store.set_moderation_settings(GUILD, &second).await.unwrap();
    assert_eq!(
        store.moderation_settings(GUILD).await.unwrap(),
        Some(second)
    );
}

/// One guild's settings never show up for another.
pub async fn settings_are_isolated_per_guild(store: &impl ModerationSettingsStore) {
    let settings = ModerationSettings {
        mod_log_channel: Some(ChannelId::new(5)),
        ..Default::default()
    };
    store
        .set_moderation_settings(GUILD, &settings)
        .await
        .unwrap();
    assert_eq!(store.moderation_settings(OTHER_GUILD).await.unwrap(), None);
}

/// Runs the whole conformance suite as `#[tokio::test]`s against stores made by a factory.
///
/// The factory is an expression callable with no arguments that returns a future of a
/// [`Fixture`] (a `(store, guard)` pair works). Attributes in brackets before it go on every
/// test: `moderation_store_suite!([#[ignore = "needs a server"]] factory)`. (The brackets keep
/// the matcher unambiguous: an expression may itself start with an attribute.)
#[macro_export]
macro_rules! moderation_store_suite {
    ([$(#[$attr:meta])*] $factory:expr) => {
        $crate::__moderation_store_suite! {
            [$(#[$attr])*] ($factory);
            added_warning_is_returned_and_listed_with_all_fields,
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
            settings_round_trip_and_are_replaced,
            settings_are_isolated_per_guild,
        }
    };
    ($factory:expr) => {
        $crate::moderation_store_suite!([] $factory);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __moderation_store_suite {
    ([$($attr:tt)*] ($factory:expr);) => {};
    ([$($attr:tt)*] ($factory:expr); $name:ident, $($rest:ident,)*) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $($attr)*
        async fn $name() {
            let fixture = ($factory)().await;
            $crate::testkit::$name($crate::testkit::Fixture::store(&fixture)).await;
            $crate::testkit::Fixture::teardown(fixture).await;
        }
        $crate::__moderation_store_suite! { [$($attr)*] ($factory); $($rest,)* }
    };
}
