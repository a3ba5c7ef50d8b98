//! How long a transcript of a 10,000-message ticket takes to build, and how big it is against
//! Discord's 25 MiB upload limit; then a flood of maximum-length messages, which must be cut.
//!
//! Run with `cargo bench -p hearth-tickets`; it prints figures and fails if a target is missed.

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use hearth_tickets::transcript::{ATTACHMENT_LIMIT_BYTES, TRANSCRIPT_BUDGET_BYTES, render};

#[path = "support/sample.rs"]
mod sample;

const MIB: f64 = 1024.0 * 1024.0;

#[allow(clippy::cast_precision_loss)]
fn run(label: &str, messages: usize, content_len: usize) -> Duration {
    let started = Instant::now();
    let transcript = sample::transcript(messages, content_len);
    let built = started.elapsed();
    let files = render(&transcript, TRANSCRIPT_BUDGET_BYTES);
    let total = started.elapsed();
    println!(
        "{label}: {messages} messages of ~{content_len} chars: values {:.1} ms, values + render {:.1} ms; \
         html {:.2} MiB + text {:.2} MiB = {:.2} MiB of {:.0} MiB ({:.1}%), {} omitted",
        built.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3,
        files.html.len() as f64 / MIB,
        files.text.len() as f64 / MIB,
        files.total_bytes() as f64 / MIB,
        ATTACHMENT_LIMIT_BYTES as f64 / MIB,
        files.total_bytes() as f64 * 100.0 / ATTACHMENT_LIMIT_BYTES as f64,
        files.omitted,
    );
    assert!(files.total_bytes() <= TRANSCRIPT_BUDGET_BYTES);
    total
}

fn main() {
    // Best of three, so a busy machine's one slow run does not decide.
    let typical = (0..3)
        .map(|_| run("typical", 10_000, 200))
        .min()
        .unwrap_or_default();
    println!(
        "target: 10,000 messages in < 1 s: {} ({:.1} ms)",
        if typical < Duration::from_secs(1) {
            "met"
        } else {
            "MISSED"
        },
        typical.as_secs_f64() * 1e3
    );
    run("long", 10_000, 2_000);
    run("flood (cut)", 10_000, 4_000);
    assert!(
        typical < Duration::from_secs(1),
        "10,000 messages took {typical:?}"
    );
}
