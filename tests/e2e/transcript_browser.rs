//! The transcript of a real ticket, opened in a real headless browser (Debian's `chromium`):
//! the DOM it builds holds every message, a screenshot is not blank, and nothing is loaded
//! from the network (the page's CSP forbids it, and the browser cannot resolve any host).
//!
//! Under `CI=true` a missing `chromium` fails the test; elsewhere it says NOT RUN loudly.

use std::{path::Path, process::Command};

use twilight_model::id::Id;

use crate::{
    harness::{Store, World, on_every_store},
    tickets::{close_by_command, open, set_up, ticket_channels},
};

const MESSAGES: [&str; 4] = [
    "My parcel <b>never</b> came & I'm upset",
    "Sorry to hear that — checking the depot",
    "Order 1234, shipped 3 May",
    "Found it: it ships again today",
];

/// The browser, or `None` after saying the test did not run.
fn chromium(test: &str) -> Option<&'static str> {
    let found = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("chromium");
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "{test}: chromium is missing under CI=true (scripts/test installs Debian's package)"
    );
    eprintln!("NOT RUN {test}: chromium is not installed (apt-get install chromium)");
    None
}

fn browse(browser: &str, profile: &Path, args: &[String]) -> std::process::Output {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1000,900",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command.args(args);
    command.output().expect("chromium runs")
}

/// Share of pixels that differ from the top-left one (the page background).
fn ink(png_bytes: &[u8]) -> f64 {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let background = pixels[0];
    let differing = pixels.iter().filter(|p| *p != &background).count();
    let share =
        |n: usize| f64::from(u32::try_from(n).expect("a screenshot's pixel count fits u32"));
    share(differing) / share(pixels.len())
}

/// The message mentioning Alice and the log channel shows their names as pills, no id left.
fn assert_mentions_named(world: &World, dom: &str) {
    let alice = world
        .guild
        .members()
        .into_iter()
        .find(|(m, _)| m.id() == world.alice.id())
        .map(|(_, name)| name)
        .expect("Alice is a member");
    for pill in [
        format!("<span class=\"mention\">@{alice}</span> the log is in"),
        "<span class=\"mention\">#ticket-log</span>".to_owned(),
    ] {
        assert!(dom.contains(&pill), "the DOM lacks {pill:?}");
    }
    assert!(!dom.contains("&lt;@"), "a mention was left as an id");
}

async fn a_transcript_renders_in_a_headless_browser(store: Store) {
    let test = module_path!();
    let Some(browser) = chromium(test) else {
        return;
    };
    let world = World::start(store).await;
    let (category, log, panel) = set_up(&world).await;
    let (_, opened) = open(&world, &world.alice, &panel, "Lost parcel").await;
    assert!(opened.content.starts_with("Your ticket is open"));
    let channel = Id::new(ticket_channels(&world, category)[0]);
    for (i, text) in MESSAGES.iter().enumerate() {
        let who = if i % 2 == 0 {
            &world.alice
        } else {
            &world.moderator
        };
        who.send(channel, text);
    }
    // Mentions read as names in the page, never as ids.
    world.moderator.send(
        channel,
        &format!("<@{}> the log is in <#{log}>", world.alice.id()),
    );
    close_by_command(&world.moderator, channel).await;
    let logged = world
        .guild
        .wait_for_message(log, |m| m.content.starts_with("Ticket #1 of"))
        .await;
    let html = logged
        .attachments
        .iter()
        .find(|a| {
            std::path::Path::new(&a.filename)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("html"))
        })
        .expect("the HTML transcript");
    let page = String::from_utf8(html.bytes.clone()).expect("utf-8");
    assert!(
        page.contains("Content-Security-Policy"),
        "the page forbids loading anything"
    );
    assert!(
        !page.contains("src=\"http"),
        "the page embeds nothing remote"
    );

    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("ticket-1.html");
    std::fs::write(&file, &html.bytes).expect("written");
    let url = format!("file://{}", file.display());

    let dom = browse(
        browser,
        &dir.path().join("profile-dom"),
        &["--dump-dom".into(), url.clone()],
    );
    assert!(
        dom.status.success(),
        "chromium --dump-dom failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for text in MESSAGES {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(dom.contains(&escaped), "the DOM lacks {text:?}");
    }
    assert!(
        dom.contains("Lost parcel") || dom.contains("ticket"),
        "the DOM shows the ticket"
    );
    assert_mentions_named(&world, &dom);

    let shot = dir.path().join("shot.png");
    let out = browse(
        browser,
        &dir.path().join("profile-shot"),
        &[format!("--screenshot={}", shot.display()), url],
    );
    assert!(
        out.status.success(),
        "chromium --screenshot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png_bytes = std::fs::read(&shot).expect("a screenshot");
    let share = ink(&png_bytes);
    println!(
        "transcript screenshot: {} bytes, {:.1}% of pixels drawn",
        png_bytes.len(),
        share * 100.0
    );
    assert!(
        share > 0.01,
        "the screenshot is blank ({:.3}% drawn)",
        share * 100.0
    );
    if let Ok(keep) = std::env::var("HEARTH_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).expect("copied");
    }
}

on_every_store!(a_transcript_renders_in_a_headless_browser);
