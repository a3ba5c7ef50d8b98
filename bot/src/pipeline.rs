//! The event pipeline: gateway events that features declared go to a fixed set of workers
//! through bounded queues.
//!
//! Per-message work (leveling, automod) must neither spawn a task per message nor serialise on
//! one lock. Each event goes to one of [`EVENT_WORKERS`] workers chosen by its member (or
//! guild), so one member's events are handled in order and different members' in parallel.
//! Each worker has a queue of [`EVENT_QUEUE`] events; when it is full the shard waits before
//! reading more from the gateway — backpressure instead of unbounded memory.

use std::{future::Future, sync::Arc};

use tokio::sync::mpsc;
use twilight_gateway::Event;

use crate::feature::Workers;

/// How many workers handle features' gateway events.
pub const EVENT_WORKERS: usize = 8;

/// How many events wait for each worker before the shards slow down.
pub const EVENT_QUEUE: usize = 512;

/// Something that handles gateway events: the features, or a benchmark's no-op.
pub trait EventSink: Send + Sync + 'static {
    /// Handles one event.
    fn handle(&self, event: Event) -> impl Future<Output = ()> + Send;
}

/// The senders into the workers; clones share them.
#[derive(Clone, Debug)]
pub struct Pipeline {
    queues: Arc<[mpsc::Sender<Event>]>,
}

impl Pipeline {
    /// Starts [`EVENT_WORKERS`] workers feeding `sink`. They stop when every clone of the
    /// pipeline is dropped and their queues are drained, or when `workers.cancel` fires.
    pub fn start<K: EventSink>(sink: &Arc<K>, workers: &Workers) -> Self {
        let queues = (0..EVENT_WORKERS)
            .map(|_| {
                let (tx, mut rx) = mpsc::channel::<Event>(EVENT_QUEUE);
                let sink = Arc::clone(sink);
                let cancel = workers.cancel.clone();
                workers.tasks.spawn(async move {
                    loop {
                        let event = tokio::select! {
                            biased;
                            event = rx.recv() => event,
                            () = cancel.cancelled() => None,
                        };
                        let Some(event) = event else { break };
                        sink.handle(event).await;
                    }
                });
                tx
            })
            .collect();
        Self { queues }
    }

    /// Hands `event` to its worker, waiting while that worker's queue is full.
    pub async fn dispatch(&self, event: Event) {
        let queue = &self.queues[worker(&event, self.queues.len())];
        if queue.send(event).await.is_err() {
            tracing::debug!("an event arrived while the pipeline was stopping");
        }
    }
}

/// The worker for an event: by its member where it has one, so one member's events keep their
/// order, else by guild.
fn worker(event: &Event, workers: usize) -> usize {
    let key = match event {
        Event::MessageCreate(m) => m.author.id.get(),
        Event::MessageUpdate(m) => m.author.id.get(),
        Event::MemberAdd(m) => m.user.id.get(),
        Event::MemberUpdate(m) => m.user.id.get(),
        Event::MemberRemove(m) => m.user.id.get(),
        Event::ReactionAdd(r) => r.user_id.get(),
        Event::ReactionRemove(r) => r.user_id.get(),
        other => other.guild_id().map_or(0, twilight_model::id::Id::get),
    };
    // Snowflakes' low bits are a per-process counter: mix before reducing.
    let mixed = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
    usize::try_from(mixed).unwrap_or(0) % workers
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Mutex;

    use tokio_util::{sync::CancellationToken, task::TaskTracker};
    use twilight_gateway::EventTypeFlags;

    use super::*;

    #[derive(Default)]
    struct Record(Mutex<Vec<(u64, String)>>);

    impl EventSink for Record {
        async fn handle(&self, event: Event) {
            if let Event::MessageCreate(m) = event {
                self.0
                    .lock()
                    .unwrap()
                    .push((m.author.id.get(), m.content.clone()));
            }
        }
    }

    pub(crate) fn message(author: u64, content: &str) -> Event {
        let json = format!(
            r#"{{"op":0,"s":1,"t":"MESSAGE_CREATE","d":{{"id":"10","channel_id":"20","guild_id":"30","author":{{"id":"{author}","username":"a","discriminator":"0","avatar":null}},"member":{{"roles":[],"joined_at":"2024-01-01T00:00:00+00:00","deaf":false,"mute":false,"flags":0}},"content":"{content}","timestamp":"2026-11-29T00:00:00+00:00","edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0}}}}"#
        );
        let parsed = twilight_gateway::parse(json, EventTypeFlags::MESSAGE_CREATE)
            .unwrap()
            .unwrap();
        Event::from(parsed)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_event_arrives_once_and_each_members_in_order() {
        let sink = Arc::new(Record::default());
        let workers = Workers {
            cancel: CancellationToken::new(),
            tasks: TaskTracker::new(),
        };
        let pipeline = Pipeline::start(&sink, &workers);
        for n in 0..2_000 {
            pipeline.dispatch(message(1 + n % 7, &n.to_string())).await;
        }
        drop(pipeline);
        workers.tasks.close();
        workers.tasks.wait().await;
        let seen = sink.0.lock().unwrap().clone();
        assert_eq!(seen.len(), 2_000);
        for author in 1..=7 {
            let theirs: Vec<u64> = seen
                .iter()
                .filter(|(a, _)| *a == author)
                .map(|(_, c)| c.parse().unwrap())
                .collect();
            assert!(
                theirs.windows(2).all(|w| w[0] < w[1]),
                "member {author} out of order"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_makes_the_shard_wait() {
        struct Stuck;
        impl EventSink for Stuck {
            async fn handle(&self, _: Event) {
                std::future::pending::<()>().await;
            }
        }
        let workers = Workers {
            cancel: CancellationToken::new(),
            tasks: TaskTracker::new(),
        };
        let pipeline = Pipeline::start(&Arc::new(Stuck), &workers);
        // One event is being handled, EVENT_QUEUE wait; the next dispatch must wait.
        for _ in 0..=EVENT_QUEUE {
            pipeline.dispatch(message(1, "x")).await;
        }
        let blocked = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            pipeline.dispatch(message(1, "x")),
        )
        .await;
        assert!(blocked.is_err(), "dispatch should wait for room");
        workers.cancel.cancel();
    }
}
