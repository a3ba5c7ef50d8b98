//! The scheduler: runs timed actions (lift a ban, end a lockdown; later close a ticket) when
//! they come due, for every feature.
//!
//! One scheduler runs in each bot process, a background worker the shell starts in
//! [`crate::run`]. Every [`POLL`] it reads the time from the context's clock and makes **one**
//! store query, [`claim_due`](TimedActionStore::claim_due), however many actions are pending:
//! the store's index hands out the due ones, leased to this process for [`DEFAULT_LEASE`]
//! (`HEARTH_TIMED_LEASE`), so
//! of several processes sharing a database exactly one runs each. A full batch is followed at
//! once by another claim, so a backlog drains without waiting for the next poll. Actions that
//! came due while no process ran are simply due at the first poll after start-up.
//!
//! Each claimed action goes to the feature that owns its kind ([`Feature::TIMED`],
//! [`Feature::timed`](crate::feature::Feature::timed)), at most [`CONCURRENCY`] at a time and
//! [`ACTIONS_PER_SECOND`] a second (the Discord client queues requests per rate-limit bucket;
//! the pace keeps a burst of a thousand unbans under Discord's global limit too). Then:
//!
//! - done: [`complete`](TimedActionStore::complete);
//! - [`TimedFailure::Retry`]: [`retry_later`](TimedActionStore::retry_later) at the time
//!   [`next_attempt`] gives (30 s, 2 min, 8 min, 32 min), and after [`MAX_ATTEMPTS`] a report;
//! - [`TimedFailure::GiveUp`], or the last retry failing: a report in the guild's mod log
//!   ([`crate::modlog::post`]), then `complete`.
//!
//! A process killed mid-action leaves its lease to run out; another process (or the same one
//! restarted) claims the action again and runs it once more. Features make their actions
//! idempotent for that reason (lifting a lifted ban changes nothing).
//!
//! [`Feature::TIMED`]: crate::feature::Feature::TIMED
//! [`MAX_ATTEMPTS`]: hearth_core::timed::MAX_ATTEMPTS

use std::{future::Future, sync::Arc, time::Duration};

use futures_util::{StreamExt, stream};
use hearth_core::{
    Clock, StoreError, text,
    timed::{
        ActionKind, ClaimRequest, Claimed, DEFAULT_LEASE, LeaseOwner, NextAttempt, TimedAction,
        TimedActionStore, next_attempt,
    },
};
use tokio_util::sync::CancellationToken;
use twilight_model::channel::message::Embed;
use twilight_util::builder::embed::EmbedBuilder;

use crate::{context::Backend, feature::TimedFailure, interaction::App, reply::COLOUR_DANGER};

/// How often the scheduler asks the store for due actions: an action runs at most this long
/// (plus its own Discord calls) after it is due.
pub const POLL: Duration = Duration::from_millis(250);

/// How many actions one claim takes at most. Small, so that a claim's actions are done well
/// within its lease even when Discord's per-route limits run them one after another (the
/// REST client queues requests of one rate-limit bucket, such as one guild's bans, in turn);
/// a full batch is followed at once by the next claim.
pub const BATCH: u32 = 16;

/// How many claimed actions run at once.
pub const CONCURRENCY: usize = 16;

/// At most this many actions start per second in one process: each is a Discord call or two,
/// and Discord allows a bot 50 requests a second in all, interactions included. At this pace
/// a thousand actions due at once are done in 25 s.
pub const ACTIONS_PER_SECOND: u32 = 40;

/// What the scheduler drives: running an action and reporting one it gave up on. The bot's is
/// its features ([`crate::features::Features::timed`]) and the mod log; tests and benchmarks
/// use their own.
pub trait Runner: Send + Sync + 'static {
    /// Runs one claimed action.
    fn run(&self, action: &TimedAction) -> impl Future<Output = Result<(), TimedFailure>> + Send;

    /// Reports an action given up on after `failure` (in the guild's mod log).
    fn report(
        &self,
        action: &TimedAction,
        failure: &TimedFailure,
    ) -> impl Future<Output = ()> + Send;
}

/// What one poll did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Polled {
    /// Actions claimed.
    pub claimed: usize,
    /// Actions that ran and were completed.
    pub done: usize,
    /// Actions released for a later attempt.
    pub retried: usize,
    /// Actions given up on and reported.
    pub reported: usize,
}

/// The scheduler of one process over store `T`.
#[derive(Clone)]
pub struct Scheduler<T, R> {
    store: T,
    runner: Arc<R>,
    clock: Arc<dyn Clock>,
    owner: LeaseOwner,
    lease: Duration,
    pace: Arc<tokio::sync::Mutex<tokio::time::Interval>>,
}

/// The pacing interval: one start every 1/[`ACTIONS_PER_SECOND`] s; a pause (no action due)
/// does not bank starts for a later burst.
fn pace() -> Arc<tokio::sync::Mutex<tokio::time::Interval>> {
    let mut interval = tokio::time::interval(Duration::from_secs(1) / ACTIONS_PER_SECOND);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    Arc::new(tokio::sync::Mutex::new(interval))
}

impl<T, R> std::fmt::Debug for Scheduler<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

/// A lease owner unique to this process: the process id and a random number, so two processes
/// (even on two hosts with the same pid) never share one.
pub fn process_owner() -> LeaseOwner {
    LeaseOwner::new(format!(
        "{}:{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ))
}

impl<T: TimedActionStore + Clone + 'static, R: Runner> Scheduler<T, R> {
    /// A scheduler claiming as `owner` for [`DEFAULT_LEASE`], with time from `clock`.
    pub fn new(store: T, runner: Arc<R>, clock: Arc<dyn Clock>, owner: LeaseOwner) -> Self {
        Self {
            store,
            runner,
            clock,
            owner,
            lease: DEFAULT_LEASE,
            pace: pace(),
        }
    }

    /// The same, holding claims for `lease` (`HEARTH_TIMED_LEASE`).
    #[must_use]
    pub fn with_lease(self, lease: Duration) -> Self {
        Self { lease, ..self }
    }

    /// Claims what is due now (one store query) and runs it; with a full batch, claims again.
    ///
    /// # Errors
    ///
    /// When the store fails to claim; completing or releasing an action that fails is logged
    /// (its lease then runs out and it is claimed again).
    pub async fn poll(&self) -> Result<Polled, StoreError> {
        let mut total = Polled::default();
        loop {
            let claimed = self
                .store
                .claim_due(ClaimRequest {
                    now: self.clock.now(),
                    lease: self.lease,
                    owner: self.owner.clone(),
                    limit: BATCH,
                })
                .await?;
            let full = claimed.len() == BATCH as usize;
            total.claimed += claimed.len();
            let outcomes: Vec<Outcome> = stream::iter(claimed)
                .map(|claimed| self.run_one(claimed))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            for outcome in outcomes {
                match outcome {
                    Outcome::Done => total.done += 1,
                    Outcome::Retried => total.retried += 1,
                    Outcome::Reported => total.reported += 1,
                }
            }
            if !full {
                return Ok(total);
            }
        }
    }

    async fn run_one(&self, claimed: Claimed) -> Outcome {
        // Waiting in turn for the next start keeps the pace across the concurrent runs.
        self.pace.lock().await.tick().await;
        let action = claimed.action;
        let result = self.runner.run(&action).await;
        let (outcome, stored) = match result {
            Ok(()) => (
                Outcome::Done,
                self.store.complete(action.id, &self.owner).await,
            ),
            Err(failure) => {
                let next = match &failure {
                    TimedFailure::Retry(_) => next_attempt(action.attempts, self.clock.now()),
                    TimedFailure::GiveUp(_) => NextAttempt::GiveUp,
                };
                tracing::warn!(
                    id = %action.id, kind = action.kind.name(), guild = %action.guild,
                    attempts = action.attempts, %failure, ?next, "timed action failed"
                );
                match next {
                    NextAttempt::RetryAt(at) => (
                        Outcome::Retried,
                        self.store.retry_later(action.id, &self.owner, at).await,
                    ),
                    NextAttempt::GiveUp => {
                        self.runner.report(&action, &failure).await;
                        (
                            Outcome::Reported,
                            self.store.complete(action.id, &self.owner).await,
                        )
                    }
                }
            }
        };
        match stored {
            Ok(true) => {}
            // Another process took it over after our lease ran out, or it was re-scheduled
            // or cancelled meanwhile: theirs is the word that counts.
            Ok(false) => tracing::info!(id = %action.id, "timed action changed hands meanwhile"),
            Err(err) => tracing::warn!(
                id = %action.id, error = %crate::interaction::chain(&err),
                "could not record a timed action's attempt; its lease will run out"
            ),
        }
        outcome
    }

    /// Polls every [`POLL`] until `cancel` fires (finishing the poll under way).
    pub async fn run(self, cancel: CancellationToken) {
        tracing::info!(owner = %self.owner, "scheduler started");
        loop {
            match self.poll().await {
                Ok(polled) if polled.claimed > 0 => tracing::debug!(?polled, "scheduler poll"),
                Ok(_) => {}
                Err(err) => tracing::warn!(
                    error = %crate::interaction::chain(&err),
                    "could not claim due timed actions"
                ),
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(POLL) => {}
            }
        }
        tracing::info!("scheduler stopped");
    }
}

/// The bot's runner: the features run actions, the mod log hears of failures.
impl<S: Backend> Runner for App<S> {
    fn run(&self, action: &TimedAction) -> impl Future<Output = Result<(), TimedFailure>> + Send {
        self.features.timed(&self.ctx, action)
    }

    async fn report(&self, action: &TimedAction, failure: &TimedFailure) {
        let embed = failure_embed(action, failure);
        crate::modlog::post(&self.ctx, &self.store, action.guild, embed).await;
    }
}

/// The mod-log embed for a timed action given up on.
pub fn failure_embed(action: &TimedAction, failure: &TimedFailure) -> Embed {
    let what = match action.kind {
        ActionKind::Unban { user } => format!("Lifting the ban of <@{user}>"),
        ActionKind::Unmute { user, .. } => format!("Lifting the mute of <@{user}>"),
        ActionKind::Unlock { channel } => format!("Unlocking <#{channel}>"),
        _ => format!("A timed {} action", action.kind.name()),
    };
    let case = action
        .case
        .map_or_else(String::new, |case| format!(" (case #{case})"));
    let attempts = match action.attempts {
        1 => "1 attempt".to_owned(),
        n => format!("{n} attempts"),
    };
    EmbedBuilder::new()
        .title("A timed action failed")
        .color(COLOUR_DANGER)
        .description(format!(
            "{what}{case} failed after {attempts}: {}. Do it by hand.",
            text::neutralise_mentions(&failure.to_string())
        ))
        .build()
}

enum Outcome {
    Done,
    Retried,
    Reported,
}

#[cfg(test)]
mod tests;
