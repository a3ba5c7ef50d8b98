//! Percentiles and one-line summaries of timings, shared by the benchmarks.

use std::time::Duration;

/// The samples, sorted.
pub(crate) fn sorted(mut samples: Vec<Duration>) -> Vec<Duration> {
    samples.sort_unstable();
    samples
}

/// The `p`th percentile (nearest rank) of sorted samples.
pub(crate) fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// `p50 …, p99 …, max …` in milliseconds.
pub(crate) fn summary(samples: Vec<Duration>) -> String {
    let s = sorted(samples);
    format!(
        "p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        ms(percentile(&s, 50)),
        ms(percentile(&s, 99)),
        ms(*s.last().expect("samples"))
    )
}

/// A duration in milliseconds.
pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
