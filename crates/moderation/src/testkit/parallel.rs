//! Behaviours under real parallelism: tasks spawned on the multi-threaded runtime, writing
//! through two handles on the same data (as two bot processes would).

use std::time::Duration;

use futures_util::future::join_all;
use hearth_core::Timestamp;

use super::{ALICE, GUILD, MOD, Spawn, fresh_request, warning};
use crate::{
    EscalationPolicy, EscalationStep, Moderation, ModerationSettingsStore, Punishment, RequestId,
    SettingsChange, WarnRequest, Warned, WarningStore,
};

/// How many warnings the parallel behaviours give at once.
const AT_ONCE: u64 = 12;

const HOUR: Duration = Duration::from_secs(3_600);
const DAY: Duration = Duration::from_secs(86_400);

/// 3 → timeout 1 h, 5 within a day → kick, 12 → permanent ban.
fn ladder() -> EscalationPolicy {
    EscalationPolicy::new(vec![
        EscalationStep {
            warnings: 3,
            within: None,
            action: Punishment::Timeout { duration: HOUR },
        },
        EscalationStep {
            warnings: 5,
            within: Some(DAY),
            action: Punishment::Kick,
        },
        EscalationStep {
            warnings: 12,
            within: None,
            action: Punishment::Ban { duration: None },
        },
    ])
    .expect("the ladder is a valid policy")
}

/// Warns Alice through `store` in a task of its own.
fn warn_in_task<S: WarningStore + Clone + 'static>(
    spawn: &impl Spawn,
    store: &S,
    policy: &EscalationPolicy,
    secs: i64,
    request: RequestId,
) -> impl Future<Output = Warned> + Send {
    let store = store.clone();
    let policy = policy.clone();
    spawn.spawn(async move {
        Moderation::new(store)
            .warn(WarnRequest {
                guild: GUILD,
                user: ALICE,
                moderator: MOD,
                reason: "raid",
                now: Timestamp::from_unix_secs(1_700_000_000 + secs),
                request,
                escalation: &policy,
            })
            .await
            .expect("warning in a task")
    })
}

/// A member with two warnings gets twelve more at once, from tasks writing through two
/// handles; their timestamps are shuffled against the order they land in. Each warning sees
/// a different count (3 to 14), and each step of the policy is due for exactly one of them:
/// the timeout at 3, the kick at 5 (within a day), the ban at 12.
pub async fn concurrent_warnings_escalate_exactly_once<S: WarningStore + Clone + 'static>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let policy = ladder();
    for secs in [0, 1] {
        let earlier = warn_in_task(spawn, &first, &policy, secs, fresh_request()).await;
        assert_eq!(earlier.outcome.escalation, None);
    }
    let tasks = (0..AT_ONCE).map(|i| {
        let handle = if i % 2 == 0 { &first } else { &second };
        // 10, 17, 12, 19 …: a later warning is often stamped earlier.
        let secs = 10 + i64::try_from((i * 7) % AT_ONCE).expect("small");
        warn_in_task(spawn, handle, &policy, secs, fresh_request())
    });
    let warned = join_all(tasks).await;
    assert!(warned.iter().all(|w| !w.replayed), "{warned:?}");
    let mut counts: Vec<usize> = warned.iter().map(|w| w.outcome.total_warnings).collect();
    counts.sort_unstable();
    assert_eq!(counts, (3..=14).collect::<Vec<usize>>());
    let fired = |action: Punishment| -> Vec<usize> {
        warned
            .iter()
            .filter(|w| w.outcome.escalation.map(|s| s.action) == Some(action))
            .map(|w| w.outcome.total_warnings)
            .collect()
    };
    assert_eq!(fired(Punishment::Timeout { duration: HOUR }), [3]);
    assert_eq!(fired(Punishment::Kick), [5]);
    assert_eq!(fired(Punishment::Ban { duration: None }), [12]);
    let steps = warned.iter().filter(|w| w.outcome.escalation.is_some());
    assert_eq!(steps.count(), 3);
    assert_eq!(
        first.warnings(GUILD, ALICE).await.unwrap().warnings.len(),
        14
    );
}

/// One request arrives twelve times at once (a retried interaction racing its original,
/// through two handles): exactly one call stores it, every other is a replay returning the
/// same warning, count and escalation, and the member has one warning.
pub async fn concurrent_replays_of_one_request_store_it_once<S: WarningStore + Clone + 'static>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let policy = EscalationPolicy::new(vec![EscalationStep {
        warnings: 1,
        within: None,
        action: Punishment::Kick,
    }])
    .expect("a valid policy");
    let request = fresh_request();
    let tasks = (0..AT_ONCE).map(|i| {
        let handle = if i % 2 == 0 { &first } else { &second };
        // Retries carry the same interaction, so the same time.
        warn_in_task(spawn, handle, &policy, 5, request)
    });
    let warned = join_all(tasks).await;
    let originals = warned.iter().filter(|w| !w.replayed).count();
    assert_eq!(originals, 1, "{warned:?}");
    let outcome = &warned[0].outcome;
    assert!(warned.iter().all(|w| w.outcome == *outcome), "{warned:?}");
    assert_eq!(outcome.total_warnings, 1);
    assert_eq!(outcome.escalation.map(|s| s.action), Some(Punishment::Kick));
    assert_eq!(
        second.warnings(GUILD, ALICE).await.unwrap().warnings,
        std::slice::from_ref(&outcome.warning)
    );
    // The warning was not stored with another request's key by mistake.
    let again = warning(GUILD, ALICE, "new", 6);
    assert!(!first.add_warning(again).await.unwrap().replayed);
}

/// Twelve changes at once through two handles, half setting the mod-log channel and half the
/// escalation policy, on a guild with no settings yet: both fields end as set, whichever
/// order they landed in (no change is lost to a read-modify-write of the whole document).
pub async fn concurrent_changes_of_different_fields_both_stick<
    S: ModerationSettingsStore + Clone + 'static,
>(
    first: S,
    second: S,
    spawn: &impl Spawn,
) {
    let policy = EscalationPolicy::new(vec![EscalationStep {
        warnings: 2,
        within: None,
        action: Punishment::Kick,
    }])
    .expect("a valid policy");
    let channel = Some(hearth_core::ChannelId::new(77));
    let tasks = (0..AT_ONCE).map(|i| {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let change = if i % 3 == 0 {
            SettingsChange::mod_log_channel(channel)
        } else {
            SettingsChange::escalation(policy.clone())
        };
        spawn.spawn(async move {
            store
                .update_moderation_settings(GUILD, &change)
                .await
                .expect("the change is stored")
        })
    });
    join_all(tasks).await;
    let stored = first
        .moderation_settings(GUILD)
        .await
        .unwrap()
        .expect("settings exist");
    assert_eq!(stored.mod_log_channel, channel);
    assert_eq!(stored.escalation, policy);
}
