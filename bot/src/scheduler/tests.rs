//! The scheduler over the memory store, a manual clock and a scripted runner.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use hearth_core::{
    GuildId, ManualClock, Timestamp, UserId,
    timed::{ActionKind, MAX_ATTEMPTS, MemoryTimedActions, NewTimedAction, TimedActionStore},
};

use super::*;

const GUILD: GuildId = GuildId::new(1);

/// Runs actions as scripted: users listed in `fail` fail the way given, every time.
#[derive(Default)]
struct Script {
    ran: Mutex<HashMap<u64, u32>>,
    fail: HashMap<u64, TimedFailure>,
    reported: Mutex<Vec<(u64, u32)>>,
}

impl Runner for Script {
    async fn run(&self, action: &TimedAction) -> Result<(), TimedFailure> {
        let subject = action.kind.subject();
        *self.ran.lock().unwrap().entry(subject).or_default() += 1;
        self.fail.get(&subject).cloned().map_or(Ok(()), Err)
    }

    async fn report(&self, action: &TimedAction, _: &TimedFailure) {
        self.reported
            .lock()
            .unwrap()
            .push((action.kind.subject(), action.attempts));
    }
}

fn at(secs: u64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + i64::try_from(secs).unwrap())
}

async fn unban(store: &MemoryTimedActions, user: u64, due: u64) {
    store
        .schedule(NewTimedAction {
            guild: GUILD,
            kind: ActionKind::Unban {
                user: UserId::new(user),
            },
            due_at: at(due),
            case: Some(user),
            scheduled_at: at(0),
        })
        .await
        .unwrap();
}

fn scheduler(
    store: &MemoryTimedActions,
    script: Script,
    owner: &str,
) -> (
    Scheduler<MemoryTimedActions, Script>,
    ManualClock,
    Arc<Script>,
) {
    let clock = ManualClock::new(at(0));
    let script = Arc::new(script);
    let scheduler = Scheduler::new(
        store.clone(),
        Arc::clone(&script),
        Arc::new(clock.clone()),
        LeaseOwner::new(owner),
    );
    (scheduler, clock, script)
}

#[tokio::test]
async fn an_action_runs_once_when_due_and_not_before() {
    let store = MemoryTimedActions::new();
    unban(&store, 5, 60).await;
    let (scheduler, clock, script) = scheduler(&store, Script::default(), "a");
    assert_eq!(scheduler.poll().await.unwrap(), Polled::default());
    clock.advance(Duration::from_secs(60));
    let polled = scheduler.poll().await.unwrap();
    assert_eq!((polled.claimed, polled.done), (1, 1));
    assert_eq!(scheduler.poll().await.unwrap(), Polled::default());
    assert_eq!(script.ran.lock().unwrap()[&5], 1);
    assert_eq!(store.next_due().await.unwrap(), None);
}

#[tokio::test(start_paused = true)]
async fn a_backlog_larger_than_a_batch_drains_in_one_poll_at_the_pace() {
    let store = MemoryTimedActions::new();
    for user in 1..=250 {
        unban(&store, user, 0).await;
    }
    let (scheduler, _clock, script) = scheduler(&store, Script::default(), "a");
    let started = tokio::time::Instant::now();
    let polled = scheduler.poll().await.unwrap();
    assert_eq!((polled.claimed, polled.done), (250, 250));
    // 250 starts at ACTIONS_PER_SECOND (the first at once).
    let took = started.elapsed();
    let pace = Duration::from_secs(1) / ACTIONS_PER_SECOND;
    assert!(took >= pace * 249 && took < pace * 251, "{took:?}");
    assert!(script.ran.lock().unwrap().values().all(|n| *n == 1));
}

#[tokio::test]
async fn a_failing_action_backs_off_then_is_reported_once() {
    let store = MemoryTimedActions::new();
    unban(&store, 7, 0).await;
    unban(&store, 8, 0).await;
    let script = Script {
        fail: HashMap::from([(7, TimedFailure::Retry("Discord answered 503".into()))]),
        ..Script::default()
    };
    let (scheduler, clock, script) = scheduler(&store, script, "a");
    let first = scheduler.poll().await.unwrap();
    assert_eq!((first.done, first.retried), (1, 1));
    // Not again before the back-off (30 s).
    clock.advance(Duration::from_secs(29));
    assert_eq!(scheduler.poll().await.unwrap().claimed, 0);
    for _ in 1..MAX_ATTEMPTS {
        clock.advance(Duration::from_secs(3_600));
        scheduler.poll().await.unwrap();
    }
    assert_eq!(script.ran.lock().unwrap()[&7], MAX_ATTEMPTS);
    assert_eq!(*script.reported.lock().unwrap(), [(7, MAX_ATTEMPTS)]);
    assert_eq!(store.next_due().await.unwrap(), None);
}

#[tokio::test]
async fn a_hopeless_action_is_reported_at_once() {
    let store = MemoryTimedActions::new();
    unban(&store, 9, 0).await;
    let script = Script {
        fail: HashMap::from([(9, TimedFailure::GiveUp("Missing Permissions".into()))]),
        ..Script::default()
    };
    let (scheduler, _clock, script) = scheduler(&store, script, "a");
    assert_eq!(scheduler.poll().await.unwrap().reported, 1);
    assert_eq!(*script.reported.lock().unwrap(), [(9, 1)]);
    assert_eq!(store.next_due().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_on_one_store_run_each_action_once() {
    let store = MemoryTimedActions::new();
    for user in 1..=60 {
        unban(&store, user, 0).await;
    }
    let (a, _, script_a) = scheduler(&store, Script::default(), "a");
    let (b, _, script_b) = scheduler(&store, Script::default(), "b");
    let (pa, pb) = tokio::join!(tokio::spawn(async move { a.poll().await }), b.poll());
    assert_eq!(pa.unwrap().unwrap().done + pb.unwrap().done, 60);
    let mut all = script_a.ran.lock().unwrap().clone();
    for (user, n) in script_b.ran.lock().unwrap().iter() {
        *all.entry(*user).or_default() += n;
    }
    assert_eq!(all.len(), 60);
    assert!(all.values().all(|n| *n == 1));
}

#[test]
fn the_failure_report_names_the_action_the_case_and_the_attempts() {
    let action = TimedAction {
        attempts: 5,
        ..TimedAction::new(
            hearth_core::timed::ActionId(1),
            NewTimedAction {
                guild: GUILD,
                kind: ActionKind::Unban {
                    user: UserId::new(42),
                },
                due_at: at(0),
                case: Some(12),
                scheduled_at: at(0),
            },
        )
    };
    let embed = failure_embed(&action, &TimedFailure::Retry("Discord answered 503".into()));
    assert_eq!(
        embed.description.as_deref(),
        Some(
            "Lifting the ban of <@42> (case #12) failed after 5 attempts: Discord answered 503. \
             Do it by hand."
        )
    );
}
