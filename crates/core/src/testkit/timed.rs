//! Behaviours of a [`TimedActionStore`]: scheduling, claiming under a lease, completing,
//! retrying, cancelling; and claims racing through two handles.

use std::{collections::BTreeSet, time::Duration};

use futures_util::future::join_all;

use super::Spawn;
use crate::{
    ChannelId, GuildId, RoleId, Timestamp, UserId,
    timed::{
        ActionId, ActionKey, ActionKind, ClaimRequest, Claimed, LeaseOwner, NewTimedAction,
        TimedAction, TimedActionStore,
    },
};

const GUILD: GuildId = GuildId::new(1_000);
const OTHER_GUILD: GuildId = GuildId::new(2_000);
const ALICE: UserId = UserId::new(11);
const BOB: UserId = UserId::new(12);

const LEASE: Duration = Duration::from_secs(60);

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + secs)
}

fn unban(user: UserId) -> ActionKind {
    ActionKind::Unban { user }
}

fn new_action(guild: GuildId, kind: ActionKind, due_secs: i64) -> NewTimedAction {
    NewTimedAction {
        guild,
        kind,
        due_at: at(due_secs),
        case: Some(7),
        scheduled_at: at(0),
    }
}

fn owner(name: &str) -> LeaseOwner {
    LeaseOwner::new(name)
}

fn claim(now_secs: i64, owner: &LeaseOwner, limit: u32) -> ClaimRequest {
    ClaimRequest {
        now: at(now_secs),
        lease: LEASE,
        owner: owner.clone(),
        limit,
    }
}

async fn schedule(store: &impl TimedActionStore, action: NewTimedAction) -> TimedAction {
    store.schedule(action).await.unwrap()
}

fn ids(claimed: &[Claimed]) -> Vec<ActionId> {
    claimed.iter().map(|c| c.action.id).collect()
}

/// Every kind is stored with all its fields (ids up to `u64::MAX`, with and without a case or
/// a role), found by its key, and not yet attempted; `next_due` is the earliest due time.
pub async fn scheduled_actions_are_pending_with_all_fields(store: &impl TimedActionStore) {
    assert_eq!(store.next_due().await.unwrap(), None);
    let kinds = [
        unban(UserId::new(u64::MAX)),
        ActionKind::Unmute {
            user: ALICE,
            role: Some(RoleId::new(u64::MAX - 1)),
        },
        ActionKind::Unmute {
            user: BOB,
            role: None,
        },
        ActionKind::Unlock {
            channel: ChannelId::new(9_000_000_000_000_000_001),
        },
    ];
    let mut stored = Vec::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        let mut new = new_action(GUILD, kind, 100 + i64::try_from(i).unwrap());
        if i % 2 == 1 {
            new.case = None;
        }
        let action = schedule(store, new).await;
        assert_eq!(action, TimedAction::new(action.id, new));
        stored.push(action);
    }
    let distinct: BTreeSet<ActionId> = stored.iter().map(|a| a.id).collect();
    assert_eq!(distinct.len(), stored.len(), "ids are unique: {stored:?}");
    for action in &stored {
        assert_eq!(
            store.pending(action.key()).await.unwrap().as_ref(),
            Some(action)
        );
    }
    let elsewhere = ActionKey::new(OTHER_GUILD, &stored[0].kind);
    assert_eq!(store.pending(elsewhere).await.unwrap(), None);
    assert_eq!(store.next_due().await.unwrap(), Some(at(100)));
}

/// Due actions are claimed earliest due first, ties in scheduling order, each with one
/// attempt counted and the lease ending `lease` after `now`.
pub async fn due_actions_are_claimed_in_due_order(store: &impl TimedActionStore) {
    let late = schedule(store, new_action(GUILD, unban(ALICE), 30)).await;
    let early = schedule(store, new_action(GUILD, unban(BOB), 10)).await;
    let tie_first = schedule(store, new_action(OTHER_GUILD, unban(ALICE), 20)).await;
    let tie_second = schedule(store, new_action(OTHER_GUILD, unban(BOB), 20)).await;
    let me = owner("a");
    let claimed = store.claim_due(claim(100, &me, 10)).await.unwrap();
    assert_eq!(
        ids(&claimed),
        [early.id, tie_first.id, tie_second.id, late.id]
    );
    for c in &claimed {
        assert_eq!(c.lease_until, at(100).saturating_add(LEASE));
        assert_eq!(c.action.attempts, 1);
    }
    assert_eq!(
        claimed[0].action,
        TimedAction {
            attempts: 1,
            ..early
        }
    );
}

/// An action is claimed from its due time on (inclusive), never before.
pub async fn actions_not_yet_due_are_never_claimed(store: &impl TimedActionStore) {
    let action = schedule(store, new_action(GUILD, unban(ALICE), 100)).await;
    let me = owner("a");
    for now in [-1_000, 0, 99] {
        assert!(
            store
                .claim_due(claim(now, &me, 10))
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(store.next_due().await.unwrap(), Some(at(100)));
    let claimed = store.claim_due(claim(100, &me, 10)).await.unwrap();
    assert_eq!(ids(&claimed), [action.id]);
}

/// A claim takes at most its limit, the earliest first; the next claim takes the next ones;
/// a limit of 0 takes nothing.
pub async fn claims_take_at_most_their_limit(store: &impl TimedActionStore) {
    let mut scheduled = Vec::new();
    for user in 1..=5 {
        scheduled.push(
            schedule(
                store,
                new_action(GUILD, unban(UserId::new(user)), user.cast_signed()),
            )
            .await
            .id,
        );
    }
    let me = owner("a");
    assert!(store.claim_due(claim(50, &me, 0)).await.unwrap().is_empty());
    let first = store.claim_due(claim(50, &me, 2)).await.unwrap();
    let second = store.claim_due(claim(50, &me, 2)).await.unwrap();
    let third = store.claim_due(claim(50, &me, 2)).await.unwrap();
    assert_eq!(ids(&first), scheduled[..2]);
    assert_eq!(ids(&second), scheduled[2..4]);
    assert_eq!(ids(&third), scheduled[4..]);
    assert!(store.claim_due(claim(50, &me, 2)).await.unwrap().is_empty());
}

/// A leased action is not claimed again until its lease ends; then another owner claims it
/// (a second attempt), and the first owner can no longer complete it. `next_due` reports the
/// lease's end.
pub async fn an_action_whose_lease_ended_is_claimable_again(store: &impl TimedActionStore) {
    let action = schedule(store, new_action(GUILD, unban(ALICE), 10)).await;
    let (a, b) = (owner("a"), owner("b"));
    let first = store.claim_due(claim(10, &a, 10)).await.unwrap();
    assert_eq!(ids(&first), [action.id]);
    let lease_end = 10 + i64::try_from(LEASE.as_secs()).unwrap();
    assert!(
        store
            .claim_due(claim(lease_end - 1, &b, 10))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.next_due().await.unwrap(), Some(at(lease_end)));
    let again = store.claim_due(claim(lease_end, &b, 10)).await.unwrap();
    assert_eq!(ids(&again), [action.id]);
    assert_eq!(again[0].action.attempts, 2);
    assert!(!store.complete(action.id, &a).await.unwrap());
    assert!(store.complete(action.id, &b).await.unwrap());
}

/// A completed action is gone: never claimed again, not pending, not due; completing it
/// again returns `false`.
pub async fn a_completed_action_never_reappears(store: &impl TimedActionStore) {
    let action = schedule(store, new_action(GUILD, unban(ALICE), 10)).await;
    let other = schedule(store, new_action(GUILD, unban(BOB), 500)).await;
    let me = owner("a");
    store.claim_due(claim(10, &me, 1)).await.unwrap();
    assert!(store.complete(action.id, &me).await.unwrap());
    assert!(!store.complete(action.id, &me).await.unwrap());
    assert_eq!(store.pending(action.key()).await.unwrap(), None);
    assert_eq!(store.next_due().await.unwrap(), Some(at(500)));
    let later = store.claim_due(claim(100_000, &me, 10)).await.unwrap();
    assert_eq!(ids(&later), [other.id]);
    assert!(store.complete(other.id, &me).await.unwrap());
    assert_eq!(store.next_due().await.unwrap(), None);
}

/// Cancelling removes the pending action with that key, leased or not, and says whether there
/// was one; the same kind for another member or guild stays. A cancelled action's owner can
/// no longer complete it.
pub async fn cancelling_removes_the_pending_action(store: &impl TimedActionStore) {
    let alice = schedule(store, new_action(GUILD, unban(ALICE), 10)).await;
    let bob = schedule(store, new_action(GUILD, unban(BOB), 20)).await;
    let elsewhere = schedule(store, new_action(OTHER_GUILD, unban(ALICE), 30)).await;
    assert!(store.cancel(alice.key()).await.unwrap());
    assert!(!store.cancel(alice.key()).await.unwrap());
    let unmute = ActionKey::new(
        GUILD,
        &ActionKind::Unmute {
            user: BOB,
            role: None,
        },
    );
    assert!(
        !store.cancel(unmute).await.unwrap(),
        "another kind is another key"
    );
    let me = owner("a");
    let claimed = store.claim_due(claim(100, &me, 10)).await.unwrap();
    assert_eq!(ids(&claimed), [bob.id, elsewhere.id]);
    assert!(
        store.cancel(bob.key()).await.unwrap(),
        "a leased one is cancelled too"
    );
    assert!(!store.complete(bob.id, &me).await.unwrap());
    assert_eq!(store.pending(bob.key()).await.unwrap(), None);
    assert!(store.complete(elsewhere.id, &me).await.unwrap());
}

/// Scheduling a key that is pending replaces it: a new id and time, attempts from 0, no
/// lease; the old id can no longer be completed. Other kinds for the same member stay.
pub async fn rescheduling_replaces_the_pending_action(store: &impl TimedActionStore) {
    let first = schedule(store, new_action(GUILD, unban(ALICE), 100)).await;
    let mute = ActionKind::Unmute {
        user: ALICE,
        role: Some(RoleId::new(5)),
    };
    let unmute = schedule(store, new_action(GUILD, mute, 1_000)).await;
    let second = schedule(store, new_action(GUILD, unban(ALICE), 200)).await;
    assert_ne!(second.id, first.id);
    assert_eq!(
        store.pending(first.key()).await.unwrap().as_ref(),
        Some(&second)
    );
    let me = owner("a");
    assert!(
        store
            .claim_due(claim(150, &me, 10))
            .await
            .unwrap()
            .is_empty()
    );
    let claimed = store.claim_due(claim(200, &me, 10)).await.unwrap();
    assert_eq!(ids(&claimed), [second.id]);
    // Re-scheduled while leased: the lease goes with the old id.
    let mut new = new_action(GUILD, unban(ALICE), 300);
    new.case = Some(8);
    let third = schedule(store, new).await;
    assert!(!store.complete(second.id, &me).await.unwrap());
    assert!(!store.retry_later(second.id, &me, at(0)).await.unwrap());
    let pending = store.pending(first.key()).await.unwrap().unwrap();
    assert_eq!((pending.attempts, pending.case), (0, Some(8)));
    assert_eq!(pending, third);
    let claimed = store.claim_due(claim(300, &me, 10)).await.unwrap();
    assert_eq!(ids(&claimed), [third.id]);
    assert_eq!(claimed[0].action.attempts, 1);
    assert_eq!(store.pending(unmute.key()).await.unwrap(), Some(unmute));
}

/// Only the owner of an action's lease can complete or retry it; an unclaimed action can be
/// completed by nobody.
pub async fn only_the_lease_owner_can_complete_or_retry(store: &impl TimedActionStore) {
    let action = schedule(store, new_action(GUILD, unban(ALICE), 10)).await;
    let (a, b) = (owner("a"), owner("b"));
    assert!(
        !store.complete(action.id, &a).await.unwrap(),
        "not claimed yet"
    );
    assert!(!store.retry_later(action.id, &a, at(50)).await.unwrap());
    store.claim_due(claim(10, &a, 10)).await.unwrap();
    assert!(!store.complete(action.id, &b).await.unwrap());
    assert!(!store.retry_later(action.id, &b, at(50)).await.unwrap());
    assert!(store.pending(action.key()).await.unwrap().is_some());
    assert!(store.complete(action.id, &a).await.unwrap());
    assert!(!store.complete(ActionId(u64::MAX), &a).await.unwrap());
}

/// A retried action is released at once, due at the retry time with its attempts kept; its
/// owner can't complete it until it claims it again.
pub async fn a_retried_action_is_due_again_at_the_retry_time(store: &impl TimedActionStore) {
    let action = schedule(store, new_action(GUILD, unban(ALICE), 10)).await;
    let a = owner("a");
    store.claim_due(claim(10, &a, 10)).await.unwrap();
    assert!(store.retry_later(action.id, &a, at(40)).await.unwrap());
    assert!(!store.complete(action.id, &a).await.unwrap(), "released");
    assert_eq!(store.next_due().await.unwrap(), Some(at(40)));
    let pending = store.pending(action.key()).await.unwrap().unwrap();
    assert_eq!((pending.due_at, pending.attempts), (at(40), 1));
    assert!(store.claim_due(claim(39, &a, 10)).await.unwrap().is_empty());
    let again = store.claim_due(claim(40, &a, 10)).await.unwrap();
    assert_eq!(ids(&again), [action.id]);
    assert_eq!(again[0].action.attempts, 2);
    assert_eq!(again[0].action.due_at, at(40));
}

/// How many actions the parallel claim behaviour schedules.
const DUE_AT_ONCE: u64 = 60;

/// Sixty due actions, four claimers at once (two through each handle) each claiming three at
/// a time and completing what it got until a claim comes back empty: every action is claimed
/// exactly once, every completion succeeds, and nothing is left.
pub async fn concurrent_claims_take_every_due_action_exactly_once<
    S: TimedActionStore + Clone + 'static,
>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let mut expected = BTreeSet::new();
    for user in 1..=DUE_AT_ONCE {
        let due = i64::try_from(user % 7).expect("small");
        let action = schedule(&first, new_action(GUILD, unban(UserId::new(user)), due)).await;
        expected.insert(action.id);
    }
    let tasks = (0..4).map(|i| {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let me = owner(&format!("worker-{i}"));
        spawn.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store.claim_due(claim(100, &me, 3)).await.expect("claiming");
                if claimed.is_empty() {
                    break mine;
                }
                for c in claimed {
                    assert!(store.complete(c.action.id, &me).await.expect("completing"));
                    mine.push(c.action.id);
                }
            }
        })
    });
    let all: Vec<ActionId> = join_all(tasks).await.into_iter().flatten().collect();
    let distinct: BTreeSet<ActionId> = all.iter().copied().collect();
    assert_eq!(all.len(), distinct.len(), "an action was claimed twice");
    assert_eq!(distinct, expected);
    assert_eq!(second.next_due().await.unwrap(), None);
}

/// Twelve schedulings of one key at once, through two handles, with different due times:
/// one action is left pending, with one of those times, and it is claimed once.
pub async fn concurrent_rescheduling_of_one_key_leaves_one_action<
    S: TimedActionStore + Clone + 'static,
>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let tasks = (0..12).map(|i| {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        spawn.spawn(async move {
            store
                .schedule(new_action(GUILD, unban(ALICE), 10 + i))
                .await
                .expect("scheduling")
        })
    });
    let scheduled = join_all(tasks).await;
    let key = ActionKey::new(GUILD, &unban(ALICE));
    let pending = first.pending(key).await.unwrap().expect("one is pending");
    assert!(scheduled.contains(&pending), "{pending:?} in {scheduled:?}");
    let me = owner("a");
    let claimed = second.claim_due(claim(100, &me, 20)).await.unwrap();
    assert_eq!(ids(&claimed), [pending.id]);
}
