//! The conformance suite every automod store must pass.
//!
//! Each behaviour is a `pub async fn` named as a sentence, taking a fresh, empty store. A
//! backend runs them all with one macro line in its tests:
//!
//! ```ignore
//! hearth_automod::automod_store_suite!(|| async { (MyStore::open_temp().await, ()) });
//! ```
//!
//! The macro expands into one `#[tokio::test(flavor = "multi_thread", worker_threads = 4)]`
//! per behaviour, so the calling crate needs `tokio` as a dev-dependency with the `macros` and
//! `rt-multi-thread` features. The parallel behaviours take two handles on the same data
//! ([`Fixture::second_handle`]) and a [`Spawn`]er, so their tasks really run at once.
//!
//! Every function panics, as a test does, when the store breaks the behaviour it describes or
//! returns an error.

// Panicking is what these functions are for; the module doc says so once.
#![allow(clippy::missing_panics_doc)]

use std::time::Duration;

use futures_util::future::join_all;
use hearth_core::{ChannelId, GuildId, MessageId, RoleId, Timestamp, UserId};

#[doc(hidden)]
pub use hearth_core::__store_suite;
pub use hearth_core::testkit::{Fixture, Spawn};

use crate::{
    Action, AutomodSettings, AutomodStore, EscalationStep, HitRecord, Preset, RECENT_HITS_KEPT,
    RuleKind, WordEntry, WordList, update_settings,
};

const GUILD: GuildId = GuildId::new(1_000);
const OTHER_GUILD: GuildId = GuildId::new(2_000);
const ALICE: UserId = UserId::new(11);
const BOB: UserId = UserId::new(12);

fn hit(guild: GuildId, user: UserId, message: Option<u64>, rule: RuleKind, secs: i64) -> HitRecord {
    HitRecord {
        guild,
        user,
        channel: Some(ChannelId::new(7)),
        message: message.map(MessageId::new),
        rule,
        reason: format!("listed word `ｆｒｅｅ` ({secs})"),
        excerpt: "get ｆｒｅｅ nitro @\u{200B}everyone — Ελληνικά, русский, 日本語".to_owned(),
        action: Action::Timeout {
            duration: Duration::from_secs(600),
        },
        deleted: true,
        at: Timestamp::from_unix_secs(1_700_000_000 + secs),
    }
}

/// Records `hit(…)` and returns whether the store took it as new.
async fn record(
    store: &impl AutomodStore,
    guild: GuildId,
    user: UserId,
    message: Option<u64>,
    rule: RuleKind,
    secs: i64,
) -> bool {
    store
        .record_hit(&hit(guild, user, message, rule, secs))
        .await
        .unwrap()
}

/// A settings value with every kind of field set, as a store must keep it.
fn full_settings() -> AutomodSettings {
    let mut settings = Preset::Strict.apply(&AutomodSettings::default());
    settings.exempt_roles = vec![RoleId::new(3), RoleId::new(u64::MAX)];
    settings.exempt_channels = vec![ChannelId::new(4)];
    settings.exempt_staff = false;
    settings.patterns = Some(crate::PatternList {
        patterns: vec![r"free\s*nitro".to_owned()],
        ..Default::default()
    });
    settings.escalation.push(EscalationStep {
        violations: 10,
        within: Duration::from_secs(86_400),
        action: Action::Ban { duration: None },
    });
    settings
}

/// A guild that never saved settings reads as `None`.
pub async fn unsaved_settings_read_as_none(store: &impl AutomodStore) {
    assert_eq!(store.automod_settings(GUILD).await.unwrap(), None);
}

/// The first save (expecting nothing stored) is version 1 and reads back whole, every field.
pub async fn saved_settings_read_back_whole_as_version_one(store: &impl AutomodStore) {
    let settings = full_settings();
    let saved = store
        .save_automod_settings(GUILD, &settings, None)
        .await
        .unwrap()
        .expect("nothing was stored, so the save goes through");
    assert_eq!(saved.version, 1);
    assert_eq!(saved.settings, settings);
    assert_eq!(store.automod_settings(GUILD).await.unwrap(), Some(saved));
}

/// A save from the stored version bumps it; a save from any other version writes nothing.
pub async fn saves_from_a_stale_version_write_nothing(store: &impl AutomodStore) {
    let first = AutomodSettings::default();
    store
        .save_automod_settings(GUILD, &first, None)
        .await
        .unwrap()
        .unwrap();
    let second = full_settings();
    let saved = store
        .save_automod_settings(GUILD, &second, Some(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.version, 2);
    for stale in [None, Some(1), Some(3)] {
        let refused = store
            .save_automod_settings(GUILD, &first, stale)
            .await
            .unwrap();
        assert_eq!(refused, None, "a save expecting {stale:?} went through");
    }
    assert_eq!(store.automod_settings(GUILD).await.unwrap(), Some(saved));
}

/// One guild's settings are not another's.
pub async fn settings_are_isolated_per_guild(store: &impl AutomodStore) {
    store
        .save_automod_settings(GUILD, &full_settings(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.automod_settings(OTHER_GUILD).await.unwrap(), None);
    let other = store
        .save_automod_settings(OTHER_GUILD, &AutomodSettings::default(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other.version, 1);
}

/// Hits come back whole, newest first, at most `limit`, and only the guild's own.
pub async fn hits_are_listed_newest_first_up_to_the_limit(store: &impl AutomodStore) {
    for (id, secs) in [(1, 10), (2, 30), (3, 20)] {
        assert!(record(store, GUILD, ALICE, Some(id), RuleKind::Words, secs).await);
    }
    record(store, OTHER_GUILD, ALICE, Some(9), RuleKind::Words, 40).await;
    let listed = store.recent_hits(GUILD, 2).await.unwrap();
    assert_eq!(
        listed,
        [
            hit(GUILD, ALICE, Some(2), RuleKind::Words, 30),
            hit(GUILD, ALICE, Some(3), RuleKind::Words, 20)
        ]
    );
    assert_eq!(store.recent_hits(GUILD, 10).await.unwrap().len(), 3);
    assert!(
        store
            .recent_hits(GuildId::new(3), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Hits at the same time list the one recorded later first.
pub async fn equal_times_list_the_later_recorded_hit_first(store: &impl AutomodStore) {
    record(store, GUILD, ALICE, Some(5), RuleKind::Words, 10).await;
    record(store, GUILD, ALICE, Some(4), RuleKind::Caps, 10).await;
    let listed = store.recent_hits(GUILD, 10).await.unwrap();
    assert_eq!(listed[0].rule, RuleKind::Caps);
    assert_eq!(listed[1].rule, RuleKind::Words);
}

/// The same message and rule again (a replayed event) is not recorded twice; another rule on
/// the same message is, and so are hits without a message.
pub async fn a_replayed_hit_is_recorded_once(store: &impl AutomodStore) {
    let first = hit(GUILD, ALICE, Some(1), RuleKind::Words, 10);
    assert!(store.record_hit(&first).await.unwrap());
    assert!(!store.record_hit(&first).await.unwrap());
    assert!(record(store, GUILD, ALICE, Some(1), RuleKind::Caps, 10).await);
    let native = hit(GUILD, ALICE, None, RuleKind::Native, 11);
    assert!(store.record_hit(&native).await.unwrap());
    assert!(store.record_hit(&native).await.unwrap());
    assert_eq!(store.recent_hits(GUILD, 10).await.unwrap().len(), 4);
}

/// At least the newest [`RECENT_HITS_KEPT`] hits are kept, and no more are listed.
pub async fn the_newest_hits_are_kept(store: &impl AutomodStore) {
    let total = RECENT_HITS_KEPT as u64 + 5;
    for i in 1..=total {
        let secs = i64::try_from(i).unwrap();
        let record = hit(GUILD, ALICE, Some(i), RuleKind::Words, secs);
        store.record_hit(&record).await.unwrap();
    }
    let listed = store.recent_hits(GUILD, usize::MAX).await.unwrap();
    assert_eq!(listed.len(), RECENT_HITS_KEPT);
    assert_eq!(listed[0].message, Some(MessageId::new(total)));
    assert_eq!(listed.last().unwrap().message, Some(MessageId::new(6)));
}

/// Deleting a user's data removes their hits in every guild and leaves others'.
pub async fn deleting_user_data_removes_their_hits_everywhere(store: &impl AutomodStore) {
    record(store, GUILD, ALICE, Some(1), RuleKind::Words, 1).await;
    record(store, OTHER_GUILD, ALICE, Some(2), RuleKind::Words, 2).await;
    record(store, GUILD, BOB, Some(3), RuleKind::Words, 3).await;
    assert_eq!(store.delete_automod_user_data(ALICE).await.unwrap(), 2);
    assert_eq!(store.delete_automod_user_data(ALICE).await.unwrap(), 0);
    let left = store.recent_hits(GUILD, 10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].user, BOB);
    assert!(store.recent_hits(OTHER_GUILD, 10).await.unwrap().is_empty());
}

/// The first handle for even tasks, the second for odd ones: half the writers go through
/// each, as if from two processes.
fn alternate<S: Clone>(task: u64, first: &S, second: &S) -> S {
    if task.is_multiple_of(2) {
        first
    } else {
        second
    }
    .clone()
}

/// Saves racing from the same version through two handles: exactly one goes through.
pub async fn concurrent_saves_from_one_version_let_exactly_one_win<S>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) where
    S: AutomodStore + Clone + 'static,
{
    first
        .save_automod_settings(GUILD, &AutomodSettings::default(), None)
        .await
        .unwrap()
        .unwrap();
    let tasks: Vec<_> = (0..8u64)
        .map(|i| {
            let store = alternate(i, &first, &second);
            spawn.spawn(async move {
                let mut settings = AutomodSettings::default();
                settings.exempt_channels.push(ChannelId::new(100 + i));
                store
                    .save_automod_settings(GUILD, &settings, Some(1))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let won: Vec<_> = join_all(tasks).await.into_iter().flatten().collect();
    assert_eq!(won.len(), 1, "{won:?}");
    assert_eq!(won[0].version, 2);
    assert_eq!(
        second.automod_settings(GUILD).await.unwrap(),
        Some(won[0].clone())
    );
}

/// Edits of the word list racing through two handles with [`update_settings`] all stick.
pub async fn concurrent_updates_all_stick<S>(first: S, second: S, spawn: &impl Spawn)
where
    S: AutomodStore + Clone + 'static,
{
    let tasks: Vec<_> = (0..4u64)
        .map(|i| {
            let store = alternate(i, &first, &second);
            spawn.spawn(async move {
                let word = format!("word{i}x");
                // Four writers need at most four attempts each.
                update_settings(&store, GUILD, |s| {
                    s.words
                        .get_or_insert_with(WordList::default)
                        .entries
                        .push(WordEntry::parse(&word));
                })
                .await
            })
        })
        .collect();
    for outcome in join_all(tasks).await {
        outcome.expect("every update goes through within its attempts");
    }
    let stored = first.automod_settings(GUILD).await.unwrap().unwrap();
    assert_eq!(stored.version, 4);
    let mut words: Vec<String> = stored
        .settings
        .words
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.text)
        .collect();
    words.sort();
    assert_eq!(words, ["word0x", "word1x", "word2x", "word3x"]);
}

/// Runs the whole conformance suite as `#[tokio::test]`s against stores made by a factory.
///
/// The factory is an expression callable with no arguments that returns a future of a
/// [`Fixture`] (a `(store, guard)` pair works). Attributes in brackets before it go on every
/// test; `automod_store_suite!([] optional factory)` takes a factory whose future returns
/// `Option<Fixture>` (on `None` the test returns at once), as the other suites do.
#[macro_export]
macro_rules! automod_store_suite {
    ([$(#[$attr:meta])*] optional $factory:expr) => {
        $crate::__automod_store_suite! { @all [$(#[$attr])*] (optional $factory) }
    };
    ([$(#[$attr:meta])*] $factory:expr) => {
        $crate::__automod_store_suite! { @all [$(#[$attr])*] (required $factory) }
    };
    ($factory:expr) => {
        $crate::automod_store_suite!([] $factory);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __automod_store_suite {
    (@all [$($attr:tt)*] $factory:tt) => {
        $crate::testkit::__store_suite! {
            [$crate] [$($attr)*] $factory;
            unsaved_settings_read_as_none,
            saved_settings_read_back_whole_as_version_one,
            saves_from_a_stale_version_write_nothing,
            settings_are_isolated_per_guild,
            hits_are_listed_newest_first_up_to_the_limit,
            equal_times_list_the_later_recorded_hit_first,
            a_replayed_hit_is_recorded_once,
            the_newest_hits_are_kept,
            deleting_user_data_removes_their_hits_everywhere,
        }
        $crate::testkit::__store_suite! {
            @parallel [$crate] [$($attr)*] $factory;
            concurrent_saves_from_one_version_let_exactly_one_win,
            concurrent_updates_all_stick,
        }
    };
}
