//! The event pipeline's own cost: `MESSAGE_CREATE` gateway payloads through decode (twilight's
//! parser with the bot's event filter) and dispatch into a feature that does nothing, on one
//! core. A program that prints figures, not a timed test: `cargo bench -p hearth --bench
//! pipeline`.
//!
//! Printed:
//! - events/s: decode, filter, dispatch and the worker's receive, all on one thread;
//! - decode per event (p50, p99): twilight's JSON parse of a realistic guild message;
//! - pipeline per event (p50, p99): what the shell adds on top of decoding — the filter check,
//!   the enqueue, and the worker's receive up to the feature's call — measured as the enqueue
//!   time plus the gap between two consecutive feature calls while a worker drains its queue.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use hearth::{
    feature::Workers,
    features,
    pipeline::{EVENT_QUEUE, EVENT_WORKERS, EventSink, Pipeline},
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use twilight_gateway::{Event, EventTypeFlags};

// Each benchmark uses part of it.
#[allow(dead_code)]
#[path = "support/cpu.rs"]
mod cpu;
// The percentiles every benchmark of the workspace uses (nearest rank).
#[allow(dead_code)]
#[path = "../../tests/benches/support/stats.rs"]
mod stats;

use stats::percentile;

/// Events decoded and dispatched per measured round.
const EVENTS: usize = 200_000;
/// Events per batch in the overhead measurement: small enough that no queue fills.
const BATCH: usize = 256;
/// The targets the figures are held against (issue: ≥ 200,000 events/s, ≤ 2 µs p99).
const THROUGHPUT_TARGET: f64 = 200_000.0;
const OVERHEAD_TARGET: Duration = Duration::from_micros(2);

/// A feature that does nothing but note when it was called.
#[derive(Default)]
struct Idle {
    seen: AtomicU64,
    gaps: Mutex<Option<(Instant, Vec<Duration>)>>,
}

impl EventSink for Idle {
    async fn handle(&self, event: Event) {
        std::hint::black_box(&event);
        self.seen.fetch_add(1, Ordering::Relaxed);
        let mut gaps = self.gaps.lock().unwrap();
        if let Some((last, list)) = gaps.as_mut() {
            let now = Instant::now();
            list.push(now - *last);
            *last = now;
        }
    }
}

/// A `MESSAGE_CREATE` as Discord sends it in a guild: author, member, mentions and all.
fn payload(n: usize) -> String {
    let author = 100_000_000_000_000_000 + (n % 5_000) as u64;
    format!(
        r#"{{"op":0,"s":{n},"t":"MESSAGE_CREATE","d":{{"type":0,"tts":false,"timestamp":"2026-11-29T12:00:00.000000+00:00","pinned":false,"nonce":"13092838{n}","mentions":[],"mention_roles":[],"mention_everyone":false,"member":{{"roles":["900000000000000001","900000000000000002"],"premium_since":null,"pending":false,"nick":null,"mute":false,"joined_at":"2024-03-01T10:00:00.000000+00:00","flags":0,"deaf":false,"communication_disabled_until":null,"banner":null,"avatar":null}},"id":"{}","flags":0,"embeds":[],"edited_timestamp":null,"content":"good morning everyone, how is the build going today? number {n}","components":[],"channel_id":"800000000000000001","author":{{"username":"member{author}","public_flags":0,"id":"{author}","global_name":"Member","discriminator":"0","clan":null,"avatar_decoration_data":null,"avatar":"a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4"}},"attachments":[],"guild_id":"700000000000000001"}}}}"#,
        1_300_000_000_000_000_000u64 + n as u64
    )
}

/// The bot's filter with `MESSAGE_CREATE` in it, as when leveling or automod declares it.
const DECODED: EventTypeFlags = features::EVENTS.union(EventTypeFlags::MESSAGE_CREATE);

fn decode(json: String) -> Event {
    let parsed = twilight_gateway::parse(json, DECODED)
        .expect("a valid payload")
        .expect("MESSAGE_CREATE is decoded");
    Event::from(parsed)
}

fn wanted(event: &Event) -> bool {
    let kind = EventTypeFlags::from(event.kind());
    !kind.is_empty() && (features::FEATURE_EVENTS | EventTypeFlags::MESSAGE_CREATE).contains(kind)
}

fn main() {
    // One core: the pipeline and its workers share a single thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        println!(
            "pipeline: {EVENT_WORKERS} workers, queues of {EVENT_QUEUE}, {EVENTS} MESSAGE_CREATE \
             payloads of {} bytes, one thread",
            payload(0).len()
        );
        throughput().await;
        throughput().await;
        overhead().await;
    });
}

/// Decode + filter + dispatch + the worker's receive, end to end.
async fn throughput() {
    let sink = Arc::new(Idle::default());
    let workers = Workers {
        cancel: CancellationToken::new(),
        tasks: TaskTracker::new(),
    };
    let pipeline = Pipeline::start(&sink, &workers);
    let payloads: Vec<String> = (0..EVENTS).map(payload).collect();
    let started = Instant::now();
    let cpu_started = cpu::this_thread();
    for json in payloads {
        let event = decode(json);
        if wanted(&event) {
            pipeline.dispatch(event).await;
        }
    }
    drop(pipeline);
    workers.tasks.close();
    workers.tasks.wait().await;
    let took = started.elapsed();
    let cpu = cpu::this_thread()
        .zip(cpu_started)
        .map(|(end, start)| end.saturating_sub(start));
    assert_eq!(sink.seen.load(Ordering::Relaxed), EVENTS as u64);
    #[allow(clippy::cast_precision_loss)]
    let events = EVENTS as f64;
    let wall_rate = events / took.as_secs_f64();
    // On one core: per second of this thread's CPU time (wall time when unavailable).
    let rate = cpu.map_or(wall_rate, |cpu| events / cpu.as_secs_f64());
    let verdict = if rate >= THROUGHPUT_TARGET {
        "met"
    } else {
        "MISSED"
    };
    println!(
        "throughput: {rate:>8.0} events/s of CPU time ({:.2} µs an event; target ≥ \
         {THROUGHPUT_TARGET:.0}: {verdict}); {wall_rate:.0} events/s of wall time",
        1e6 / rate,
    );
}

/// Decode time and the pipeline's own time per event, each as a distribution.
async fn overhead() {
    let sink = Arc::new(Idle::default());
    let workers = Workers {
        cancel: CancellationToken::new(),
        tasks: TaskTracker::new(),
    };
    let pipeline = Pipeline::start(&sink, &workers);
    let mut decode_times = Vec::with_capacity(EVENTS);
    let mut enqueue_times = Vec::with_capacity(EVENTS);
    let mut receive_times = Vec::with_capacity(EVENTS);
    let mut sent = 0u64;
    for batch in 0..EVENTS / BATCH {
        let payloads: Vec<String> = (0..BATCH).map(|i| payload(batch * BATCH + i)).collect();
        for json in payloads {
            let start = Instant::now();
            let event = decode(json);
            let decoded = Instant::now();
            if wanted(&event) {
                pipeline.dispatch(event).await;
            }
            enqueue_times.push(decoded.elapsed());
            decode_times.push(decoded - start);
            sent += 1;
        }
        // Let the workers drain the batch, timing the gap between feature calls.
        *sink.gaps.lock().unwrap() = Some((Instant::now(), Vec::with_capacity(BATCH)));
        while sink.seen.load(Ordering::Relaxed) < sent {
            tokio::task::yield_now().await;
        }
        let (_, mut gaps) = sink.gaps.lock().unwrap().take().unwrap();
        // The first gap of a batch is the scheduler handing over to a worker, not per event.
        if !gaps.is_empty() {
            gaps.remove(0);
        }
        receive_times.extend(gaps);
    }
    drop(pipeline);
    workers.tasks.close();
    workers.tasks.wait().await;
    for list in [&mut decode_times, &mut enqueue_times, &mut receive_times] {
        list.sort_unstable();
    }
    let show = |name: &str, list: &[Duration]| {
        println!(
            "{name:<22} p50 {:>7.2} µs   p99 {:>7.2} µs   max {:>8.2} µs",
            percentile(list, 50).as_secs_f64() * 1e6,
            percentile(list, 99).as_secs_f64() * 1e6,
            list.last().copied().unwrap_or_default().as_secs_f64() * 1e6
        );
    };
    show("decode", &decode_times);
    show("enqueue", &enqueue_times);
    show("worker receive", &receive_times);
    let p99 = percentile(&enqueue_times, 99) + percentile(&receive_times, 99);
    println!(
        "pipeline overhead p99 (enqueue p99 + receive p99): {:.2} µs (target ≤ {:.0} µs: {})",
        p99.as_secs_f64() * 1e6,
        OVERHEAD_TARGET.as_secs_f64() * 1e6,
        if p99 <= OVERHEAD_TARGET {
            "met"
        } else {
            "MISSED"
        }
    );
}
