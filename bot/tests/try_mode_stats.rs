//! `hearth try` starts with a month of chat in its demo guild: `/stats` draws a chart with
//! something in it.

use hearth::{leveling::images, try_mode::TrySession};
use hearth_xp_engine::{Activity, Day};

/// The RGB pixels of a PNG, decoding it whole (a broken file panics).
fn pixels(png: &[u8]) -> Vec<[u8; 3]> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png.to_vec()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a sane size")];
    let frame = reader.next_frame(&mut buffer).expect("PNG data");
    buffer[..frame.buffer_size()]
        .chunks(frame.color_type.samples())
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_in_the_demo_guild_shows_a_month_of_chat() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut session = TrySession::start_with_output(dir.path())
        .await
        .expect("the sandbox and the bot start");
    let shown = session.execute("as alice /stats").await;
    let count: u64 = shown
        .split(" messages earned XP in the last 30 days.")
        .next()
        .and_then(|before| before.rsplit(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no message count in:\n{shown}"));
    assert!(
        count >= 100,
        "a month of chat, not {count} messages:\n{shown}"
    );
    let path = shown
        .split("saved to ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no chart saved in:\n{shown}"));
    let chart = pixels(&std::fs::read(path.trim()).expect("the chart file"));

    // The same chart of an empty month: the demo's differs in its bars and line.
    let empty: Vec<Activity> = (0..30).map(|d| Activity::empty(Day(20_000 + d))).collect();
    let blank = pixels(
        &images::stats("Hearth Demo", &empty)
            .render()
            .expect("renders"),
    );
    assert_eq!(chart.len(), blank.len());
    let differing = chart.iter().zip(&blank).filter(|(a, b)| a != b).count();
    assert!(
        differing > chart.len() / 20,
        "only {differing} of {} pixels differ from an empty chart",
        chart.len()
    );
    session.stop().await;
}
