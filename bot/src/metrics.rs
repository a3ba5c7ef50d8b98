//! Counters and a latency histogram, published at `/metrics` in Prometheus' text format.
//!
//! A handful of metrics doesn't warrant a metrics framework: atomics and one small mutex-held
//! map, rendered by hand.

use std::{
    collections::{BTreeMap, VecDeque},
    fmt::Write as _,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

/// Upper bounds of the handler-latency histogram buckets, in seconds.
pub const LATENCY_BUCKETS: [f64; 10] =
    [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// How many recent first-response latencies [`Metrics::recent_first_responses`] keeps.
pub const RECENT_FIRST_RESPONSES: usize = 4096;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// It did what was asked.
    Ok,
    /// It was refused (bad input, missing permission, hierarchy, not found).
    Refused,
    /// Something failed on our side.
    Fault,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Refused => "refused",
            Self::Fault => "fault",
        }
    }
}

/// A latency histogram over [`LATENCY_BUCKETS`] (cumulative, as Prometheus counts them).
#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn record(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(LATENCY_BUCKETS) {
            if secs <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bucket, bound) in self.buckets.iter().zip(LATENCY_BUCKETS) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)] // microseconds as f64 seconds: exact below 2^53 µs
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// The bot's metrics; shared by every task.
#[derive(Debug, Default)]
pub struct Metrics {
    events: AtomicU64,
    api_errors: AtomicU64,
    api_ratelimited: AtomicU64,
    commands: Mutex<BTreeMap<(String, Outcome), u64>>,
    handler: Histogram,
    first_response: Histogram,
    recent_first_responses: Mutex<VecDeque<Duration>>,
}

impl Metrics {
    /// Counts one gateway event received.
    pub fn event(&self) {
        self.events.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one Discord API error response; `ratelimited` for a 429.
    pub fn api_error(&self, ratelimited: bool) {
        self.api_errors.fetch_add(1, Ordering::Relaxed);
        if ratelimited {
            self.api_ratelimited.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records one handled command or component, and how long its handler took.
    pub fn command(&self, name: &str, outcome: Outcome, took: Duration) {
        *self
            .commands
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((name.to_owned(), outcome))
            .or_default() += 1;
        self.handler.record(took);
    }

    /// Records how long an interaction waited for its first response: from receiving it to
    /// sending the response (the REST callback, or the HTTP endpoint's body).
    pub fn first_response(&self, took: Duration) {
        self.first_response.record(took);
        let mut recent = self
            .recent_first_responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if recent.len() == RECENT_FIRST_RESPONSES {
            recent.pop_front();
        }
        recent.push_back(took);
    }

    /// The last [`RECENT_FIRST_RESPONSES`] first-response latencies, oldest first.
    pub fn recent_first_responses(&self) -> Vec<Duration> {
        self.recent_first_responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .collect()
    }

    /// How many commands named `name` ended with `outcome`.
    pub fn command_count(&self, name: &str, outcome: Outcome) -> u64 {
        self.commands
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(name.to_owned(), outcome))
            .copied()
            .unwrap_or(0)
    }

    /// The metrics in Prometheus' text exposition format, followed by `extra` (e.g. the
    /// cache's statistics).
    pub fn render(&self, extra: &str) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        counter(
            &mut out,
            "hearth_gateway_events_total",
            "Gateway events received.",
            self.events.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "hearth_discord_api_errors_total",
            "Error responses from Discord's API.",
            self.api_errors.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "hearth_discord_api_ratelimited_total",
            "429 responses from Discord's API.",
            self.api_ratelimited.load(Ordering::Relaxed),
        );
        out.push_str(
            "# HELP hearth_commands_total Commands and components handled, by name and outcome.\n\
             # TYPE hearth_commands_total counter\n",
        );
        for ((name, outcome), n) in self
            .commands
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "hearth_commands_total{{command=\"{name}\",outcome=\"{}\"}} {n}",
                outcome.label()
            );
        }
        self.handler.render(
            &mut out,
            "hearth_handler_seconds",
            "Time from receiving an interaction to finishing it.",
        );
        self.first_response.render(
            &mut out,
            "hearth_first_response_seconds",
            "Time from receiving an interaction to sending its first response.",
        );
        out.push_str(extra);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_counts_commands_by_outcome_and_fills_histogram_buckets() {
        let metrics = Metrics::default();
        metrics.command("warn", Outcome::Ok, Duration::from_micros(1_500));
        metrics.command("warn", Outcome::Refused, Duration::from_millis(30));
        metrics.api_error(true);
        let text = metrics.render("");
        assert!(text.contains("hearth_commands_total{command=\"warn\",outcome=\"ok\"} 1"));
        assert!(text.contains("hearth_commands_total{command=\"warn\",outcome=\"refused\"} 1"));
        assert!(text.contains("hearth_handler_seconds_bucket{le=\"0.001\"} 0"));
        assert!(text.contains("hearth_handler_seconds_bucket{le=\"0.002\"} 1"));
        assert!(text.contains("hearth_handler_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("hearth_handler_seconds_count 2"));
        assert!(text.contains("hearth_discord_api_ratelimited_total 1"));
    }

    #[test]
    fn first_responses_fill_their_histogram_and_keep_only_the_recent_samples() {
        let metrics = Metrics::default();
        metrics.first_response(Duration::from_micros(800));
        metrics.first_response(Duration::from_millis(3));
        let text = metrics.render("");
        assert!(text.contains("hearth_first_response_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("hearth_first_response_seconds_bucket{le=\"0.005\"} 2"));
        assert!(text.contains("hearth_first_response_seconds_count 2"));
        assert_eq!(
            metrics.recent_first_responses(),
            [Duration::from_micros(800), Duration::from_millis(3)]
        );
        for n in 0..RECENT_FIRST_RESPONSES {
            metrics.first_response(Duration::from_micros(u64::try_from(n).unwrap()));
        }
        let recent = metrics.recent_first_responses();
        assert_eq!(recent.len(), RECENT_FIRST_RESPONSES);
        assert_eq!(recent[0], Duration::ZERO, "the oldest samples are dropped");
    }
}
