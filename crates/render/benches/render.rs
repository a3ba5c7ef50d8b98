//! Prints how long a rank card and a chart take on one core: `cargo bench -p hearth-render`.
//!
//! Every card decodes its avatar afresh (members have different avatars, so there is nothing
//! to cache), from the photo-like 256×256 JPEG fixture Discord-sized avatars resemble.

// Run counts and byte sizes are far below 2^52; printing them as f64 is exact.
#![allow(clippy::cast_precision_loss)]

use std::time::{Duration, Instant};

use hearth_render::{
    CHART_ENCODING, CardOptions, Chart, ChartKind, Date, Picture, PngEncoding, RankCard, Series,
    XAxis,
};

const PHOTO_AVATAR: &[u8] = include_bytes!("../tests/fixtures/avatar.jpg");
/// Real photographs as avatars: a portrait and a close-up of fur (see `tests/fixtures`).
const PHOTOGRAPHS: [(&str, &[u8]); 2] = [
    (
        "astronaut",
        include_bytes!("../tests/fixtures/photo-astronaut.jpg"),
    ),
    ("cat", include_bytes!("../tests/fixtures/photo-cat.jpg")),
];
const CARDS: usize = 400;
const CHARTS: usize = 100;
const ENCODES: usize = 60;
const WARM_UP: usize = 30;

struct Timing {
    draw: Vec<Duration>,
    encode: Vec<Duration>,
    total: Vec<Duration>,
    bytes: usize,
    wall: Duration,
    /// CPU time this thread spent in the loop, when the OS tells (Linux).
    cpu: Option<Duration>,
}

/// CPU time of the calling thread so far, from `/proc/thread-self/schedstat` (Linux). On a
/// shared machine this is what one core spends, whatever the other processes do.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn percentile(samples: &[Duration], pct: usize) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    sorted[(sorted.len() * pct / 100).min(sorted.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:7.3} ms", duration.as_secs_f64() * 1e3)
}

fn measure(runs: usize, encoding: PngEncoding, mut draw: impl FnMut() -> Picture) -> Timing {
    // Warm the font parse, caches and branch predictors before measuring.
    for _ in 0..WARM_UP {
        draw().into_png_with(encoding).unwrap();
    }
    let mut timing = Timing {
        draw: Vec::with_capacity(runs),
        encode: Vec::with_capacity(runs),
        total: Vec::with_capacity(runs),
        bytes: 0,
        wall: Duration::ZERO,
        cpu: None,
    };
    let cpu_start = thread_cpu();
    let start = Instant::now();
    for _ in 0..runs {
        let t0 = Instant::now();
        let picture = std::hint::black_box(draw());
        let t1 = Instant::now();
        // As `render` does: the picture's buffer becomes the PNG's input.
        let png = std::hint::black_box(picture.into_png_with(encoding).unwrap());
        let t2 = Instant::now();
        timing.draw.push(t1 - t0);
        timing.encode.push(t2 - t1);
        timing.total.push(t2 - t0);
        timing.bytes = png.len();
    }
    timing.wall = start.elapsed();
    timing.cpu = thread_cpu()
        .zip(cpu_start)
        .and_then(|(end, start)| end.checked_sub(start));
    timing
}

fn report(what: &str, runs: usize, timing: &Timing) {
    println!("{what} ({runs} runs, one thread)");
    for (step, samples) in [
        ("draw", &timing.draw),
        ("encode", &timing.encode),
        ("total", &timing.total),
    ] {
        println!(
            "  {step:<7} median {}   p95 {}",
            ms(percentile(samples, 50)),
            ms(percentile(samples, 95))
        );
    }
    println!(
        "  min     total {}   (the least contended run)",
        ms(*timing.total.iter().min().unwrap())
    );
    let per_second = |time: Duration| runs as f64 / time.as_secs_f64();
    print!(
        "  PNG     {:.1} KiB   {:.0} per second of wall time",
        timing.bytes as f64 / 1024.0,
        per_second(timing.wall)
    );
    match timing.cpu {
        Some(cpu) => println!(
            ", {:.0} per second of CPU time ({} CPU per image)",
            per_second(cpu),
            ms(cpu / u32::try_from(runs).unwrap())
        ),
        None => println!(),
    }
}

fn compare_encodings(what: &str, picture: &Picture) {
    println!("PNG settings for {what} ({ENCODES} runs each)");
    for encoding in PngEncoding::ALL {
        let mut samples = Vec::with_capacity(ENCODES);
        let mut bytes = 0;
        for _ in 0..ENCODES {
            let t0 = Instant::now();
            bytes = std::hint::black_box(picture.to_png_with(encoding).unwrap()).len();
            samples.push(t0.elapsed());
        }
        println!(
            "  {:<9} median {}   {:6.1} KiB",
            format!("{encoding:?}"),
            ms(percentile(&samples, 50)),
            bytes as f64 / 1024.0
        );
    }
}

/// What the card's PNG stores: straight-alpha RGBA, read back from an exact encoding.
fn straight_rgba(picture: &Picture) -> Vec<u8> {
    let png = picture.to_png_with(PngEncoding::FastExact).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgba);
    pixels
}

fn encode_with(
    rgba: &[u8],
    (width, height): (u32, u32),
    deflate: png::DeflateCompression,
    filter: png::Filter,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_deflate_compression(deflate);
    encoder.set_filter(filter);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(rgba).unwrap();
    writer.finish().unwrap();
    out
}

/// The `png` crate's compression and filter choices on the card, timed in interleaved rounds
/// so that every setting sees the same machine load; then how much of the PNG the avatar is.
fn compare_png_settings(picture: &Picture) {
    use png::{DeflateCompression as Deflate, Filter};
    let rgba = straight_rgba(picture);
    let size = (picture.width(), picture.height());
    let mut settings = Vec::new();
    for filter in [
        Filter::Paeth,
        Filter::Up,
        Filter::Sub,
        Filter::Adaptive,
        Filter::MinEntropy,
    ] {
        settings.push(("fdeflate".to_owned(), Deflate::FdeflateUltraFast, filter));
    }
    for level in 1..=3 {
        for filter in [Filter::Up, Filter::Paeth, Filter::Adaptive] {
            settings.push((format!("zlib {level}"), Deflate::Level(level), filter));
        }
    }
    settings.push(("zlib 6".to_owned(), Deflate::Level(6), Filter::Adaptive));
    let mut samples = vec![Vec::with_capacity(ENCODES); settings.len()];
    let mut bytes = vec![0; settings.len()];
    for _ in 0..ENCODES {
        for (i, &(_, deflate, filter)) in settings.iter().enumerate() {
            let t0 = Instant::now();
            bytes[i] = std::hint::black_box(encode_with(&rgba, size, deflate, filter)).len();
            samples[i].push(t0.elapsed());
        }
    }
    println!("png crate settings for the rank card ({ENCODES} interleaved rounds)");
    for (i, (deflate, _, filter)) in settings.iter().enumerate() {
        println!(
            "  {deflate:<9} {:<11} median {}   {:6.1} KiB",
            format!("{filter:?}"),
            ms(percentile(&samples[i], 50)),
            bytes[i] as f64 / 1024.0
        );
    }
    // The avatar and its ring fill the square from (36, 36) to (246, 246); paint it the panel
    // colour (as at (20, 100), left of the ring) to see what the rest of the card costs.
    let stride = size.0 as usize * 4;
    let (left, right) = (36 * 4, 246 * 4);
    let panel: [u8; 4] = rgba[100 * stride + 20 * 4..][..4].try_into().unwrap();
    let mut avatar = Vec::new();
    let mut without = rgba.clone();
    for row in 36..246 {
        avatar.extend_from_slice(&rgba[row * stride + left..row * stride + right]);
        for pixel in without[row * stride + left..row * stride + right].chunks_exact_mut(4) {
            pixel.copy_from_slice(&panel);
        }
    }
    let fast = |rgba: &[u8], size| {
        encode_with(rgba, size, Deflate::FdeflateUltraFast, Filter::Paeth).len() as f64 / 1024.0
    };
    println!(
        "  fdeflate Paeth: the 210x210 avatar square alone {:.1} KiB, the card without it {:.1} KiB",
        fast(&avatar, (210, 210)),
        fast(&without, size),
    );
}

fn card(avatar: Option<&[u8]>) -> RankCard<'_> {
    RankCard {
        name: "Ada Lovelace",
        level: 12,
        rank: 4,
        xp: 1_234,
        xp_required: 2_000,
        avatar,
        options: CardOptions::default(),
    }
}

fn chart() -> Chart {
    let days = |scale: f64, phase: f64| -> Vec<f64> {
        (0..30)
            .map(|d| {
                let d = f64::from(d);
                (scale * (1.0 + 0.35 * ((d + phase) * std::f64::consts::TAU / 7.0).sin())).round()
            })
            .collect()
    };
    let axis = XAxis::Dates {
        first: Date::from_ymd(2026, 10, 27).unwrap(),
        step_days: 1,
    };
    Chart::new("Messages per day", ChartKind::Area, axis)
        .with_series(Series::new("#general", days(1_800.0, 0.0)))
        .with_series(Series::new("#memes", days(650.0, 2.0)))
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent; stay quick then.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let (cards, charts) = if quick { (5, 2) } else { (CARDS, CHARTS) };
    // Medians on a shared machine are only as good as its idleness: say how busy it was.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let minute = load.split_whitespace().next().unwrap_or("?");
        println!("load average {minute} on {cores} cores\n");
    }

    let photo = measure(cards, PngEncoding::Fast, || card(Some(PHOTO_AVATAR)).draw());
    report(
        "Rank card, 934x282, photo avatar decoded from a 256x256 JPEG every time",
        cards,
        &photo,
    );
    let plain = measure(cards, PngEncoding::Fast, || card(None).draw());
    report("Rank card, default avatar", cards, &plain);
    let line = measure(charts, CHART_ENCODING, || chart().draw());
    report(
        &format!("Area chart, 800x400, 30 days, 2 series, {CHART_ENCODING:?} as `render` does"),
        charts,
        &line,
    );
    for (name, photo) in PHOTOGRAPHS {
        let timing = measure(cards / 2, PngEncoding::Fast, || card(Some(photo)).draw());
        report(
            &format!("Rank card, avatar the {name} photograph (256x256 JPEG)"),
            cards / 2,
            &timing,
        );
    }
    if !quick {
        compare_encodings("the rank card", &card(Some(PHOTO_AVATAR)).draw());
        for (name, photo) in PHOTOGRAPHS {
            compare_encodings(
                &format!("the rank card with the {name}"),
                &card(Some(photo)).draw(),
            );
        }
        compare_encodings("the chart", &chart().draw());
        compare_png_settings(&card(Some(PHOTO_AVATAR)).draw());
        compare_avatar_formats();
    }
}

/// The same avatar as JPEG, PNG and WebP (lossless, the kind `image` writes): what decoding
/// each costs inside a whole card.
fn compare_avatar_formats() {
    let photo = image::load_from_memory(PHOTO_AVATAR).unwrap();
    println!("Whole card by avatar format ({ENCODES} runs each)");
    for format in [
        image::ImageFormat::Jpeg,
        image::ImageFormat::Png,
        image::ImageFormat::WebP,
    ] {
        let bytes = if format == image::ImageFormat::Jpeg {
            PHOTO_AVATAR.to_vec()
        } else {
            let mut bytes = Vec::new();
            photo
                .write_to(&mut std::io::Cursor::new(&mut bytes), format)
                .unwrap();
            bytes
        };
        let timing = measure(ENCODES, PngEncoding::Fast, || card(Some(&bytes)).draw());
        println!(
            "  {:<5} {:5.1} KiB   total median {}",
            format!("{format:?}"),
            bytes.len() as f64 / 1024.0,
            ms(percentile(&timing.total, 50))
        );
    }
}
