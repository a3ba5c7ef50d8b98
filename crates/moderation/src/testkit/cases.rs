//! Behaviours of a [`CaseStore`]: numbering shared with warnings, replays, edits, and many
//! cases racing through two handles.

use std::{collections::BTreeSet, time::Duration};

use futures_util::future::join_all;
use hearth_core::{ChannelId, GuildId, MessageId, Timestamp, UserId};

use super::{ALICE, GUILD, MOD, OTHER_GUILD, Spawn, add, fresh_request, warning};
use crate::{Case, CaseAction, CaseNumber, CaseStore, NewCase, WarningStore};

fn ban(guild: GuildId, user: UserId) -> NewCase {
    NewCase {
        guild,
        number: None,
        request: fresh_request(),
        action: CaseAction::Ban,
        user: Some(user),
        channel: None,
        moderator: MOD,
        reason: "raiding".to_owned(),
        duration: Some(Duration::from_secs(604_800)),
        created_at: Timestamp::from_unix_secs(1_700_000_000),
        expires_at: Some(Timestamp::from_unix_secs(1_700_604_800)),
    }
}

/// A case comes back with every field, numbered after the guild's warnings, and is found by
/// its number; other guilds count on their own.
pub async fn cases_are_numbered_after_warnings_with_all_fields<S: CaseStore + WarningStore>(
    store: &S,
) {
    let warned = add(store, warning(GUILD, ALICE, "spam", 0)).await;
    assert_eq!(warned.case, CaseNumber(1));
    let new = ban(GUILD, ALICE);
    let case = store.record_case(new.clone()).await.unwrap();
    assert_eq!(case, Case::new(CaseNumber(2), new));
    assert_eq!(store.case(GUILD, CaseNumber(2)).await.unwrap(), Some(case));
    let lock = NewCase {
        action: CaseAction::Lockdown,
        user: None,
        channel: Some(ChannelId::new(u64::MAX)),
        duration: None,
        expires_at: None,
        ..ban(GUILD, ALICE)
    };
    let locked = store.record_case(lock).await.unwrap();
    assert_eq!(
        (locked.number, locked.user, locked.channel),
        (CaseNumber(3), None, Some(ChannelId::new(u64::MAX)))
    );
    assert_eq!(
        store
            .record_case(ban(OTHER_GUILD, ALICE))
            .await
            .unwrap()
            .number,
        CaseNumber(1)
    );
    // The next warning continues the shared sequence.
    let next = add(store, warning(GUILD, ALICE, "again", 5)).await;
    assert_eq!(next.case, CaseNumber(4));
    assert_eq!(store.case(GUILD, CaseNumber(9)).await.unwrap(), None);
}

/// Recording a request again returns the first case and takes no number; a warning's case is
/// recorded under the warning's number, once.
pub async fn a_replayed_case_is_recorded_once<S: CaseStore + WarningStore>(store: &S) {
    let new = ban(GUILD, ALICE);
    let first = store.record_case(new.clone()).await.unwrap();
    let again = store.record_case(new).await.unwrap();
    assert_eq!(first, again);
    let warned = add(store, warning(GUILD, ALICE, "spam", 0)).await;
    assert_eq!(warned.case, CaseNumber(2));
    let as_case = NewCase {
        number: Some(warned.case),
        action: CaseAction::Warn,
        duration: None,
        expires_at: None,
        ..ban(GUILD, ALICE)
    };
    let recorded = store.record_case(as_case.clone()).await.unwrap();
    assert_eq!(
        (recorded.number, recorded.action),
        (CaseNumber(2), CaseAction::Warn)
    );
    let retried = NewCase {
        request: fresh_request(),
        ..as_case
    };
    assert_eq!(store.record_case(retried).await.unwrap(), recorded);
    assert_eq!(
        store.record_case(ban(GUILD, ALICE)).await.unwrap().number,
        CaseNumber(3)
    );
}

/// `/reason` replaces the reason and returns the case; the mod-log message is remembered;
/// unknown cases give `None` and `false`.
pub async fn a_cases_reason_and_log_message_can_be_set(store: &impl CaseStore) {
    let case = store.record_case(ban(GUILD, ALICE)).await.unwrap();
    let edited = store
        .set_case_reason(GUILD, case.number, "raiding, and alts")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(edited.reason, "raiding, and alts");
    let at = (ChannelId::new(5), MessageId::new(u64::MAX));
    assert!(
        store
            .set_case_log_message(GUILD, case.number, at)
            .await
            .unwrap()
    );
    let read = store.case(GUILD, case.number).await.unwrap().unwrap();
    assert_eq!(
        (read.reason.as_str(), read.log_message),
        ("raiding, and alts", Some(at))
    );
    assert_eq!(
        store
            .set_case_reason(OTHER_GUILD, case.number, "x")
            .await
            .unwrap(),
        None
    );
    assert!(
        !store
            .set_case_log_message(GUILD, CaseNumber(99), at)
            .await
            .unwrap()
    );
}

/// Forty cases recorded at once through two handles get forty distinct numbers, 1 to 40.
pub async fn concurrent_cases_get_distinct_numbers<S>(first: S, second: S, spawn: &impl Spawn)
where
    S: CaseStore + Clone + 'static,
{
    let tasks = (0..40).map(|i| {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        spawn.spawn(async move { store.record_case(ban(GUILD, ALICE)).await.unwrap().number })
    });
    let numbers: BTreeSet<u64> = join_all(tasks).await.into_iter().map(|n| n.0).collect();
    assert_eq!(numbers, (1..=40).collect());
}
