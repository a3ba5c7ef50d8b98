//! Golden images: each case is drawn and compared pixel by pixel with `tests/golden/<case>.png`.
//!
//! A pixel matches when every channel is within [`CHANNEL_TOLERANCE`]; a few anti-aliased
//! pixels may differ more (rounding in another float path), up to [`MAX_DIFFERENT_PIXELS`] in
//! ten thousand — fewer than a one-pixel shift of the smallest label changes.
//!
//! `HEARTH_BLESS=1 cargo test -p hearth-render --test golden` rewrites the goldens; look at
//! them before committing. A failing case writes what it drew next to the test binaries and
//! prints the path.

use std::path::{Path, PathBuf};

use hearth_render::{
    CardOptions, Chart, ChartKind, Colour, Date, PngEncoding, RankCard, Series, XAxis,
};

/// How far one channel of one pixel may be from the golden.
const CHANNEL_TOLERANCE: u8 = 3;
/// How many pixels per ten thousand may be further off than that.
const MAX_DIFFERENT_PIXELS: usize = 2;

const PHOTO_AVATAR: &[u8] = include_bytes!("fixtures/avatar.jpg");
const BACKGROUND: &[u8] = include_bytes!("fixtures/background.jpg");
/// A real photograph: astronaut Eileen Collins (NASA, public domain).
const ASTRONAUT: &[u8] = include_bytes!("fixtures/photo-astronaut.jpg");

fn golden_path(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{case}.png"))
}

fn rgba(png: &[u8]) -> image::RgbaImage {
    image::load_from_memory(png)
        .expect("a PNG we wrote")
        .into_rgba8()
}

fn check(case: &str, picture: &hearth_render::Picture) {
    // Goldens are stored at the smallest setting; the comparison is on pixels, not bytes.
    let png = picture.to_png_with(PngEncoding::Small).unwrap();
    let path = golden_path(case);
    if std::env::var_os("HEARTH_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &png).unwrap();
        return;
    }
    let golden = std::fs::read(&path).unwrap_or_else(|err| {
        panic!(
            "{}: {err}; run with HEARTH_BLESS=1 to create it",
            path.display()
        )
    });
    let (golden, drawn) = (rgba(&golden), rgba(&png));
    assert_eq!(
        golden.dimensions(),
        drawn.dimensions(),
        "{case}: size changed"
    );
    let different = golden
        .pixels()
        .zip(drawn.pixels())
        .filter(|(a, b)| {
            a.0.iter()
                .zip(b.0)
                .any(|(x, y)| x.abs_diff(y) > CHANNEL_TOLERANCE)
        })
        .count();
    let allowed = drawn.pixels().len() * MAX_DIFFERENT_PIXELS / 10_000;
    if different > allowed {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{case}.png"));
        std::fs::write(&out, &png).unwrap();
        panic!(
            "{case}: {different} pixels differ from {} (at most {allowed} may); drew {}",
            path.display(),
            out.display()
        );
    }
}

/// A flat two-colour avatar: decodes like a real one and keeps the goldens small.
fn flat_avatar() -> Vec<u8> {
    let image = image::RgbImage::from_fn(128, 128, |x, y| {
        if (x / 32 + y / 32) % 2 == 0 {
            image::Rgb([0xE6, 0x7E, 0x22])
        } else {
            image::Rgb([0x1A, 0xBC, 0x9C])
        }
    });
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

fn card<'a>(name: &'a str, avatar: Option<&'a [u8]>) -> RankCard<'a> {
    RankCard {
        name,
        level: 12,
        rank: 4,
        xp: 1_234,
        xp_required: 2_000,
        avatar,
        options: CardOptions::default(),
    }
}

#[test]
fn ordinary_card_with_a_photo() {
    check(
        "card_default",
        &card("Ada Lovelace", Some(PHOTO_AVATAR)).draw(),
    );
}

#[test]
fn a_real_photograph_as_the_avatar() {
    check(
        "card_photograph",
        &card("Eileen Collins", Some(ASTRONAUT)).draw(),
    );
}

#[test]
fn the_top_three_ranks_are_gold_silver_and_bronze() {
    let avatar = flat_avatar();
    for rank in 1..=3 {
        let card = RankCard {
            rank,
            level: 40 - rank,
            ..card("Grace Hopper", Some(&avatar))
        };
        check(&format!("card_rank_{rank}"), &card.draw());
    }
}

#[test]
fn zero_xp_draws_an_empty_bar() {
    let avatar = flat_avatar();
    let card = RankCard {
        xp: 0,
        ..card("newcomer", Some(&avatar))
    };
    check("card_zero_xp", &card.draw());
}

#[test]
fn a_complete_level_draws_a_full_bar() {
    let avatar = flat_avatar();
    let card = RankCard {
        level: 99,
        rank: 12_345,
        xp: 2_000,
        xp_required: 2_000,
        ..card("Linus", Some(&avatar))
    };
    check("card_full_bar", &card.draw());
}

#[test]
fn a_long_greek_and_latin_name_shrinks_then_is_cut() {
    let avatar = flat_avatar();
    let name = "Αλέξανδρος Παπαδόπουλος-Smithson";
    assert_eq!(name.chars().count(), 32);
    check("card_greek_name", &card(name, Some(&avatar)).draw());
}

#[test]
fn names_in_other_scripts_use_the_fallback_font() {
    let card = RankCard {
        rank: 7,
        ..card("Юлия 山田 🦀 ✓", None)
    };
    check("card_mixed_scripts", &card.draw());
}

#[test]
fn a_broken_avatar_draws_the_default_avatar() {
    check(
        "card_missing_avatar",
        &card("Ghost", Some(b"<html>404</html>")).draw(),
    );
}

#[test]
fn a_background_image_shows_around_a_translucent_panel() {
    let avatar = flat_avatar();
    let card = RankCard {
        options: CardOptions {
            accent: "#EB459E".parse::<Colour>().unwrap(),
            background: Some(BACKGROUND),
            show_rank: false,
        },
        ..card("Margaret Hamilton", Some(&avatar))
    };
    check("card_background", &card.draw());
}

fn thirty_days() -> XAxis {
    XAxis::Dates {
        first: Date::from_ymd(2026, 10, 27).unwrap(),
        step_days: 1,
    }
}

/// A plausible month of activity: weekly rhythm, a trend, no randomness.
fn activity(scale: f64, phase: f64) -> Vec<f64> {
    (0..30)
        .map(|day| {
            let day = f64::from(day);
            let weekly = ((day + phase) * std::f64::consts::TAU / 7.0).sin();
            (scale * (1.0 + 0.02 * day) * (1.0 + 0.35 * weekly)).round()
        })
        .collect()
}

#[test]
fn line_chart_of_messages_per_day_with_a_legend() {
    let chart = Chart::new("Messages per day", ChartKind::Line, thirty_days())
        .with_series(Series::new("#general", activity(1_800.0, 0.0)))
        .with_series(Series::new("#memes", activity(650.0, 2.0)))
        .with_series(Series::new("#help", activity(240.0, 4.0)));
    check("chart_line", &chart.draw());
}

#[test]
fn area_chart_of_xp_per_day() {
    let chart = Chart::new("XP earned per day", ChartKind::Area, thirty_days())
        .with_series(Series::new("XP", activity(42_000.0, 1.0)));
    check("chart_area", &chart.draw());
}

#[test]
fn bar_chart_of_moderation_actions_per_week() {
    let weeks = XAxis::Dates {
        first: Date::from_ymd(2026, 9, 7).unwrap(),
        step_days: 7,
    };
    let chart = Chart::new("Moderation actions per week", ChartKind::Bar, weeks)
        .with_series(Series::new(
            "warnings",
            [12.0, 9.0, 15.0, 7.0, 11.0, 18.0, 6.0, 10.0],
        ))
        .with_series(Series::new(
            "timeouts",
            [4.0, 2.0, 6.0, 1.0, 3.0, 7.0, 2.0, 3.0],
        ))
        .with_series(Series::new(
            "bans",
            [1.0, 0.0, 2.0, 0.0, 1.0, 3.0, 0.0, 1.0],
        ));
    check("chart_bar", &chart.draw());
}

#[test]
fn a_chart_without_data_says_so() {
    let chart = Chart::new("Messages per day", ChartKind::Line, thirty_days())
        .with_series(Series::new("#general", Vec::new()));
    check("chart_empty", &chart.draw());
}

#[test]
fn bar_chart_over_named_categories() {
    let kinds = [
        "warn", "timeout", "kick", "ban", "unban", "slowmode", "lockdown",
    ];
    let chart = Chart::new(
        "Moderation actions by kind, last 30 days",
        ChartKind::Bar,
        XAxis::Labels(kinds.iter().map(|&kind| kind.to_owned()).collect()),
    )
    .with_series(Series::new(
        "actions",
        [1_234.0, 456.0, 78.0, 23.0, 5.0, 12.0, 2.0],
    ));
    check("chart_categories", &chart.draw());
}
