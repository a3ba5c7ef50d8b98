//! The scheduler's figures, printed (a program, not a timed test): `cargo bench -p hearth-e2e
//! --bench timed`.
//!
//! 1. Store queries per poll with 10,000 actions pending (none due), and a poll's time, on
//!    SQLite (and MongoDB when `MONGODB_URI` is set): the target is at most 1 query.
//! 2. How late timed unbans run after they are due, with the real bot against the sandbox:
//!    the target is at most 1 s.
//! 3. 1,000 unbans due at the same moment, with the real bot against the sandbox: the time
//!    until the last is lifted (target 30 s) and the 429s Discord would have answered (target 0).

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use hearth::{
    database::DatabaseUrl,
    feature::TimedFailure,
    scheduler::{Runner, Scheduler},
    store::OpenedStore,
};
use hearth_core::{
    Clock, GuildId, StoreError, SystemClock, Timestamp, UserId,
    timed::{
        ActionId, ActionKey, ActionKind, ClaimRequest, Claimed, LeaseOwner, NewTimedAction,
        TimedAction, TimedActionStore,
    },
};

// The scenarios' harness: the same guild, the same bot, the same configuration.
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "../e2e/harness.rs"]
mod harness;
#[allow(dead_code, unused_imports)]
#[path = "../e2e/mongo_uri.rs"]
mod mongo_uri;
#[allow(dead_code)]
#[path = "../e2e/outage.rs"]
mod outage;

use harness::{Store, World, with_store};

const PENDING: usize = 10_000;
const POLLS: usize = 200;
const LATE_SAMPLES: u64 = 20;
const TOGETHER: usize = 1_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        queries_per_poll().await;
        lateness().await;
        due_together().await;
    });
}

/// A store that counts the queries the scheduler makes.
#[derive(Clone)]
struct Counting<S> {
    inner: S,
    queries: Arc<AtomicU64>,
}

impl<S: TimedActionStore> Counting<S> {
    fn count(&self) {
        self.queries.fetch_add(1, Ordering::Relaxed);
    }
}

impl<S: TimedActionStore> TimedActionStore for Counting<S> {
    async fn schedule(&self, action: NewTimedAction) -> Result<TimedAction, StoreError> {
        self.count();
        self.inner.schedule(action).await
    }
    async fn pending(&self, key: ActionKey) -> Result<Option<TimedAction>, StoreError> {
        self.count();
        self.inner.pending(key).await
    }
    async fn cancel(&self, key: ActionKey) -> Result<bool, StoreError> {
        self.count();
        self.inner.cancel(key).await
    }
    async fn claim_due(&self, claim: ClaimRequest) -> Result<Vec<Claimed>, StoreError> {
        self.count();
        self.inner.claim_due(claim).await
    }
    async fn complete(&self, id: ActionId, owner: &LeaseOwner) -> Result<bool, StoreError> {
        self.count();
        self.inner.complete(id, owner).await
    }
    async fn retry_later(
        &self,
        id: ActionId,
        owner: &LeaseOwner,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.count();
        self.inner.retry_later(id, owner, at).await
    }
    async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        self.count();
        self.inner.next_due().await
    }
}

/// Runs nothing (nothing is due in the first figure).
struct Nothing;

impl Runner for Nothing {
    async fn run(&self, _: &TimedAction) -> Result<(), TimedFailure> {
        Ok(())
    }
    async fn report(&self, _: &TimedAction, _: &TimedFailure) {}
}

fn unban(user: u64, due_at: Timestamp) -> NewTimedAction {
    NewTimedAction {
        guild: GuildId::new(1),
        kind: ActionKind::Unban {
            user: UserId::new(user),
        },
        due_at,
        case: None,
        scheduled_at: due_at,
    }
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

async fn measure_polls<S: TimedActionStore + Clone + 'static>(name: &str, store: S) {
    let tomorrow = SystemClock
        .now()
        .saturating_add(Duration::from_secs(86_400));
    for user in 1..=PENDING as u64 {
        store
            .schedule(unban(user, tomorrow))
            .await
            .expect("scheduled");
    }
    let queries = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: store,
        queries: Arc::clone(&queries),
    };
    let scheduler = Scheduler::new(
        counting,
        Arc::new(Nothing),
        Arc::new(SystemClock),
        LeaseOwner::new("bench"),
    );
    let mut times = Vec::with_capacity(POLLS);
    for _ in 0..POLLS {
        let started = Instant::now();
        let polled = scheduler.poll().await.expect("polled");
        times.push(started.elapsed());
        assert_eq!(polled.claimed, 0);
    }
    times.sort();
    let per_poll = queries.load(Ordering::Relaxed) as f64 / POLLS as f64;
    println!(
        "{name}: {PENDING} pending, none due: {per_poll:.2} store queries per poll (target ≤ 1); \
         a poll takes p50 {:?}, p99 {:?}",
        percentile(&times, 50),
        percentile(&times, 99)
    );
}

async fn queries_per_poll() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = DatabaseUrl::Sqlite(Some(dir.path().join("bench.db")));
    match hearth::store::open(&url).await.expect("store opens") {
        OpenedStore::Sqlite(store) => measure_polls("SQLite", store).await,
        OpenedStore::Mongo(_) => unreachable!("a SQLite URL"),
    }
    if let Some(Store::Mongo(uri)) = Store::mongo("timed bench") {
        let name = mongo_uri::unique_name();
        let url = DatabaseUrl::Mongo(mongo_uri::with_database(&uri, &name));
        if let OpenedStore::Mongo(store) = hearth::store::open(&url).await.expect("store opens") {
            measure_polls("MongoDB", store.clone()).await;
            store.database().drop().await.expect("dropped");
        }
    }
}

/// Bans `n` new members by hand and schedules their unbans at `due`; returns their ids.
async fn ban_and_schedule(world: &World, n: usize, due: impl Fn(usize) -> Timestamp) -> Vec<u64> {
    let guild = GuildId::new(world.guild.id().get());
    let users: Vec<u64> = (0..n)
        .map(|i| {
            let member = world.guild.add_member(&format!("raider{i}"));
            world.guild.ban_by_hand(member.id(), None);
            member.id().get()
        })
        .collect();
    with_store!(world, |store| {
        for (i, user) in users.iter().enumerate() {
            store
                .schedule(NewTimedAction {
                    guild,
                    ..unban(*user, due(i))
                })
                .await
                .expect("scheduled");
        }
    });
    users
}

/// The time each unban reached the sandbox, after the instant it was due.
async fn lateness() {
    let world = World::start(Store::Sqlite).await;
    let (now, instant) = (SystemClock.now(), Instant::now());
    // Due from 2 s on, a quarter of a second apart: each comes due between two polls.
    let offset = |i: usize| Duration::from_millis(2_000 + 250 * i as u64 + 37);
    let users = ban_and_schedule(&world, LATE_SAMPLES as usize, |i| {
        now.saturating_add(offset(i))
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !world.guild.bans().is_empty() {
        assert!(Instant::now() < deadline, "unbans never ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let requests = world.sandbox.requests();
    let mut late: Vec<Duration> = users
        .iter()
        .enumerate()
        .map(|(i, user)| {
            let request = requests
                .iter()
                .find(|r| r.method == "DELETE" && r.path.ends_with(&format!("/bans/{user}")))
                .expect("the unban was sent");
            request.at.saturating_duration_since(instant + offset(i))
        })
        .collect();
    late.sort();
    println!(
        "lateness of {LATE_SAMPLES} timed unbans (bot against the sandbox, SQLite): p50 {:?}, \
         max {:?} (target ≤ 1 s)",
        percentile(&late, 50),
        late[late.len() - 1]
    );
    world.finish().await;
}

/// 1,000 unbans due at the same moment.
async fn due_together() {
    let world = World::start(Store::Sqlite).await;
    let due = SystemClock.now().saturating_add(Duration::from_secs(3));
    let due_instant = Instant::now() + Duration::from_secs(3);
    ban_and_schedule(&world, TOGETHER, |_| due).await;
    assert!(
        Instant::now() < due_instant,
        "scheduling took longer than the head start"
    );
    let deadline = due_instant + Duration::from_secs(120);
    while !world.guild.bans().is_empty() {
        assert!(
            Instant::now() < deadline,
            "unbans still running after 2 minutes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = Instant::now().saturating_duration_since(due_instant);
    println!(
        "{TOGETHER} unbans due at once (bot against the sandbox, SQLite): all lifted {took:?} \
         after they were due (target ≤ 30 s); 429s from Discord's global limit: {}; at most \
         {} requests in one second (Discord allows 50)",
        world.sandbox.global_rate_limited(),
        world.sandbox.max_requests_per_second()
    );
    world.finish().await;
}
