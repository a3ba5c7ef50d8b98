//! What a member sees on a rank card, probed pixel by pixel, and inputs that must never panic.

use hearth_render::{
    CARD_HEIGHT, CARD_WIDTH, CHART_MAX_SERIES, CHART_MAX_SIDE, CHART_MIN_SIDE, CardOptions, Chart,
    ChartKind, Colour, DEFAULT_ACCENT, Date, IMAGE_MAX_SIDE, NAME_MAX_CHARS, PHOTO_TOLERANCE,
    Picture, RankCard, Series, XAxis,
};
use proptest::prelude::*;

const PHOTO_AVATAR: &[u8] = include_bytes!("fixtures/avatar.jpg");
/// Real photographs (see `fixtures/README.md`).
const PHOTOGRAPHS: [(&str, &[u8]); 2] = [
    ("astronaut", include_bytes!("fixtures/photo-astronaut.jpg")),
    ("cat", include_bytes!("fixtures/photo-cat.jpg")),
];
/// The most a default card with a photograph as its avatar may take, as uploaded.
const CARD_PNG_BUDGET: usize = 80 * 1024;

fn card(xp: u64, xp_required: u64) -> RankCard<'static> {
    RankCard {
        name: "Ada",
        level: 3,
        rank: 10,
        xp,
        xp_required,
        avatar: None,
        options: CardOptions::default(),
    }
}

/// The straight RGBA colour of one pixel.
fn pixel(picture: &Picture, x: u32, y: u32) -> [u8; 4] {
    let at = ((y * picture.width() + x) * 4) as usize;
    let p = &picture.premultiplied_rgba()[at..at + 4];
    if p[3] == 0 {
        return [0; 4];
    }
    let straight = |c: u8| u8::try_from(u16::from(c) * 255 / u16::from(p[3])).unwrap();
    [straight(p[0]), straight(p[1]), straight(p[2]), p[3]]
}

fn is(colour: Colour, actual: [u8; 4]) -> bool {
    [colour.r, colour.g, colour.b, colour.a]
        .iter()
        .zip(actual)
        .all(|(a, b)| a.abs_diff(b) <= 2)
}

/// Where the bar's accent fill ends, scanning its middle row.
fn fill_end(picture: &Picture, accent: Colour) -> u32 {
    (280..894)
        .take_while(|&x| is(accent, pixel(picture, x, 196)))
        .last()
        .map_or(0, |x| x + 1)
}

#[test]
fn the_card_is_transparent_outside_its_rounded_corners() {
    let picture = card(1, 2).draw();
    assert_eq!(
        (picture.width(), picture.height()),
        (CARD_WIDTH, CARD_HEIGHT)
    );
    for (x, y) in [(0, 0), (933, 0), (0, 281), (933, 281), (3, 3)] {
        assert_eq!(
            pixel(&picture, x, y)[3],
            0,
            "({x}, {y}) should be transparent"
        );
    }
    assert!(is(Colour::rgb(0x1E, 0x1F, 0x22), pixel(&picture, 466, 5)));
    assert!(is(Colour::rgb(0x2B, 0x2D, 0x31), pixel(&picture, 466, 30)));
}

#[test]
fn the_bar_fills_in_proportion_to_xp() {
    let picture = card(1_234, 2_000).draw();
    // 614 · 1234 / 2000 = 378.8 px from x = 280; the round end is anti-aliased.
    let end = fill_end(&picture, DEFAULT_ACCENT);
    assert!((655..=660).contains(&end), "fill ends at {end}");
}

#[test]
fn zero_xp_shows_no_fill_and_a_sliver_shows_a_round_dot() {
    assert_eq!(fill_end(&card(0, 100).draw(), DEFAULT_ACCENT), 0);
    let sliver = fill_end(&card(1, 1_000_000).draw(), DEFAULT_ACCENT);
    assert!(
        (300..=320).contains(&sliver),
        "minimum fill ends at {sliver}"
    );
}

#[test]
fn xp_beyond_the_level_or_a_zero_requirement_fills_the_bar_exactly() {
    for (xp, required) in [(5_000, 2_000), (10, 0), (u64::MAX, 1)] {
        let end = fill_end(&card(xp, required).draw(), DEFAULT_ACCENT);
        assert!(
            (888..=894).contains(&end),
            "{xp}/{required}: fill ends at {end}"
        );
    }
}

#[test]
fn the_accent_colours_the_ring_and_the_bar() {
    let accent = Colour::rgb(0x57, 0xF2, 0x87);
    let card = RankCard {
        options: CardOptions {
            accent,
            ..CardOptions::default()
        },
        ..card(50, 100)
    };
    let picture = card.draw();
    assert!(is(accent, pixel(&picture, 141, 141 - 103)), "ring top");
    assert!(is(accent, pixel(&picture, 300, 196)), "bar");
}

#[test]
fn the_avatar_is_drawn_inside_the_ring() {
    let with_photo = RankCard {
        avatar: Some(PHOTO_AVATAR),
        ..card(1, 2)
    }
    .draw();
    let without = card(1, 2).draw();
    // The photo's face is skin-coloured at the centre; the default avatar is white there.
    let face = pixel(&with_photo, 141, 120);
    assert!(
        face[0] > face[2] + 40,
        "expected a warm face colour, got {face:?}"
    );
    let head = pixel(&without, 141, 112);
    assert!(
        head[0] > 220 && head[2] > 220,
        "expected the default avatar's head, got {head:?}"
    );
}

#[test]
fn bad_avatar_and_background_bytes_draw_the_defaults() {
    let broken = RankCard {
        avatar: Some(b"\x89PNG\r\n\x1a\n truncated"),
        options: CardOptions {
            background: Some(b"GIF89a"),
            ..CardOptions::default()
        },
        ..card(1, 2)
    };
    assert_eq!(broken.draw(), card(1, 2).draw());
}

#[test]
fn hiding_the_rank_leaves_its_place_empty() {
    let shown = card(1, 2).draw();
    let hidden = RankCard {
        options: CardOptions {
            show_rank: false,
            ..CardOptions::default()
        },
        ..card(1, 2)
    }
    .draw();
    let ink = |picture: &Picture| {
        (560..700)
            .flat_map(|x| (50..90).map(move |y| (x, y)))
            .filter(|&(x, y)| pixel(picture, x, y)[0] > 150)
            .count()
    };
    assert!(ink(&shown) > 100);
    assert_eq!(ink(&hidden), 0);
}

#[test]
fn rendering_produces_a_png_of_the_card_size() {
    let png = card(1, 2).render().unwrap();
    let image = image::load_from_memory(&png).unwrap();
    assert_eq!((image.width(), image.height()), (CARD_WIDTH, CARD_HEIGHT));
}

#[test]
fn a_card_with_a_photograph_for_an_avatar_stays_within_80_kib() {
    let photos = [("the generated portrait", PHOTO_AVATAR)]
        .into_iter()
        .chain(PHOTOGRAPHS);
    for (name, avatar) in photos {
        let drawn = RankCard {
            name: "Ada Lovelace",
            level: 12,
            rank: 4,
            xp: 1_234,
            xp_required: 2_000,
            avatar: Some(avatar),
            options: CardOptions::default(),
        }
        .draw();
        let png = drawn.clone().into_png().unwrap();
        assert!(
            png.len() <= CARD_PNG_BUDGET,
            "{name}: {} bytes, over {CARD_PNG_BUDGET}",
            png.len()
        );
        // What a member's client decodes: the drawn card, photographs within one level.
        let decoded = image::load_from_memory(&png).unwrap().into_rgba8();
        let worst = decoded
            .pixels()
            .enumerate()
            .map(|(i, stored)| {
                let i = u32::try_from(i).unwrap();
                let drawn = pixel(&drawn, i % CARD_WIDTH, i / CARD_WIDTH);
                stored
                    .0
                    .iter()
                    .zip(drawn)
                    .map(|(a, b)| a.abs_diff(b))
                    .max()
                    .unwrap()
            })
            .max()
            .unwrap();
        assert!(
            worst <= PHOTO_TOLERANCE,
            "{name}: a channel moved by {worst}"
        );
    }
}

#[test]
fn a_background_photograph_is_stored_within_one_level_and_the_corners_stay_clear() {
    let background = include_bytes!("fixtures/background.jpg");
    let drawn = RankCard {
        options: CardOptions {
            background: Some(background),
            ..CardOptions::default()
        },
        ..card(1, 2)
    }
    .draw();
    let png = drawn.clone().into_png().unwrap();
    let decoded = image::load_from_memory(&png).unwrap().into_rgba8();
    let mut moved = 0;
    for (x, y, stored) in decoded.enumerate_pixels() {
        let at = ((y * CARD_WIDTH + x) * 4) as usize;
        let premultiplied = &drawn.premultiplied_rgba()[at..at + 4];
        let alpha = u16::from(premultiplied[3]);
        if alpha < 255 {
            // The rounded corners' anti-aliasing and the transparency outside are exact: the
            // drawn colour, unpremultiplied with rounding.
            let straight = |c: u8| {
                u8::try_from(
                    (u16::from(c) * 255 + alpha / 2)
                        .checked_div(alpha)
                        .unwrap_or(0),
                )
                .unwrap()
            };
            let expected = [
                straight(premultiplied[0]),
                straight(premultiplied[1]),
                straight(premultiplied[2]),
                premultiplied[3],
            ];
            assert_eq!(stored.0, expected, "({x}, {y})");
        } else {
            let drawn = pixel(&drawn, x, y);
            let worst = stored.0.iter().zip(drawn).map(|(a, b)| a.abs_diff(b)).max();
            assert!(worst <= Some(PHOTO_TOLERANCE), "({x}, {y})");
            moved += usize::from(worst > Some(0));
        }
    }
    // The photograph shows through the whole card, so much of it is rounded.
    assert!(moved > 50_000, "{moved} pixels rounded");
}

#[test]
fn large_avatars_are_scaled_and_huge_ones_refused_without_failing() {
    let big = image::RgbImage::from_pixel(1_500, 900, image::Rgb([200, 30, 30]));
    let mut png = Vec::new();
    big.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let picture = RankCard {
        avatar: Some(&png),
        ..card(1, 2)
    }
    .draw();
    assert!(is(Colour::rgb(200, 30, 30), pixel(&picture, 141, 141)));

    // A PNG header claiming 100 000 × 100 000 pixels is not decoded.
    let mut bomb = png[..33].to_vec();
    bomb[16..24].copy_from_slice(&[0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0]);
    let picture = RankCard {
        avatar: Some(&bomb),
        ..card(1, 2)
    }
    .draw();
    assert_eq!(picture, card(1, 2).draw());
}

fn png_of(image: &image::RgbImage) -> Vec<u8> {
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

#[test]
fn png_jpeg_and_webp_avatars_are_all_drawn() {
    let teal = image::Rgb([0x1A, 0xBC, 0x9C]);
    let avatar = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(96, 96, teal));
    for format in [
        image::ImageFormat::Png,
        image::ImageFormat::Jpeg,
        image::ImageFormat::WebP,
    ] {
        let mut bytes = Vec::new();
        avatar
            .write_to(&mut std::io::Cursor::new(&mut bytes), format)
            .unwrap();
        let picture = RankCard {
            avatar: Some(&bytes),
            ..card(1, 2)
        }
        .draw();
        let centre = pixel(&picture, 141, 141);
        assert!(
            is(Colour::rgb(0x1A, 0xBC, 0x9C), centre),
            "{format:?} avatar: {centre:?}"
        );
    }
}

#[test]
fn avatars_up_to_the_size_limit_are_decoded_and_larger_ones_are_not() {
    let red = image::Rgb([220, 20, 20]);
    for (side, drawn) in [
        (IMAGE_MAX_SIDE - 1, true),
        (IMAGE_MAX_SIDE, true),
        (IMAGE_MAX_SIDE + 1, false),
    ] {
        let png = png_of(&image::RgbImage::from_pixel(side, 2, red));
        let picture = RankCard {
            avatar: Some(&png),
            ..card(1, 2)
        }
        .draw();
        let centre = pixel(&picture, 141, 141);
        assert_eq!(
            is(Colour::rgb(220, 20, 20), centre),
            drawn,
            "{side} px wide: {centre:?}"
        );
    }
}

#[test]
fn names_are_cut_to_the_character_limit_before_layout() {
    // Zero-width spaces take no room, so only the limit decides whether the X is drawn.
    let padded = |count: usize| format!("{}X", "\u{200B}".repeat(count));
    let draw = |name: &str| RankCard { name, ..card(1, 2) }.draw();
    let blank = draw("");
    assert_ne!(
        draw(&padded(NAME_MAX_CHARS - 1)),
        blank,
        "the X is character {NAME_MAX_CHARS}"
    );
    assert_eq!(
        draw(&padded(NAME_MAX_CHARS)),
        blank,
        "the X is one past the limit"
    );
}

#[test]
fn chart_sizes_and_series_counts_are_kept_within_their_limits() {
    let size = |width, height| {
        let mut chart = Chart::new("t", ChartKind::Line, axis());
        chart.width = width;
        chart.height = height;
        let picture = chart.draw();
        (picture.width(), picture.height())
    };
    assert_eq!(
        size(CHART_MIN_SIDE - 1, 0),
        (CHART_MIN_SIDE, CHART_MIN_SIDE)
    );
    assert_eq!(
        size(CHART_MIN_SIDE, CHART_MIN_SIDE),
        (CHART_MIN_SIDE, CHART_MIN_SIDE)
    );
    assert_eq!(
        size(CHART_MAX_SIDE, CHART_MAX_SIDE + 1),
        (CHART_MAX_SIDE, CHART_MAX_SIDE)
    );

    let with = |count: usize| {
        (0..count)
            .fold(Chart::new("t", ChartKind::Bar, axis()), |chart, i| {
                chart.with_series(Series::new(format!("s{i}"), [1.0, 2.0]))
            })
            .draw()
    };
    assert_eq!(with(CHART_MAX_SERIES), with(CHART_MAX_SERIES + 1));
    assert_ne!(with(CHART_MAX_SERIES - 1), with(CHART_MAX_SERIES));
}

fn axis() -> XAxis {
    XAxis::Dates {
        first: Date::from_ymd(2026, 1, 1).unwrap(),
        step_days: 1,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_card_input_panics(
        name in any::<String>(),
        level in any::<u64>(),
        rank in any::<u64>(),
        xp in prop_oneof![Just(0_u64), any::<u64>()],
        xp_required in prop_oneof![Just(0_u64), any::<u64>()],
        avatar in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        show_rank in any::<bool>(),
    ) {
        let card = RankCard {
            name: &name,
            level,
            rank,
            xp,
            xp_required,
            avatar: avatar.as_deref(),
            options: CardOptions { show_rank, ..CardOptions::default() },
        };
        let png = card.render().unwrap();
        prop_assert!(png.starts_with(b"\x89PNG"));
    }

    #[test]
    fn no_name_of_any_script_or_length_panics(name in "\\PC{0,300}") {
        let picture = RankCard { name: &name, ..card(1, 2) }.draw();
        prop_assert_eq!(picture.width(), CARD_WIDTH);
    }

    #[test]
    fn no_chart_input_panics(
        kind in prop_oneof![Just(ChartKind::Line), Just(ChartKind::Area), Just(ChartKind::Bar)],
        series in proptest::collection::vec(
            (any::<String>(), proptest::collection::vec(any::<f64>(), 0..40)),
            0..10,
        ),
        width in any::<u32>(),
        height in any::<u32>(),
        first_day in any::<i64>(),
        step_days in any::<u32>(),
    ) {
        let mut chart = Chart::new("chart", kind, XAxis::Dates {
            first: Date::from_unix_secs(first_day),
            step_days,
        });
        chart.width = width % 3_000;
        chart.height = height % 3_000;
        for (label, values) in series {
            chart = chart.with_series(Series::new(label, values));
        }
        prop_assert!(chart.render().unwrap().starts_with(b"\x89PNG"));
    }
}

#[test]
fn charts_with_extreme_values_and_gaps_render() {
    for values in [
        vec![f64::NAN, f64::INFINITY, -f64::INFINITY],
        vec![f64::MAX, f64::MIN, 0.0],
        vec![1e-9, 2e-9, 3e-9],
        vec![-5.0, -3.0, f64::NAN, -1.0],
        vec![7.0],
        vec![0.0; 30],
    ] {
        for kind in [ChartKind::Line, ChartKind::Area, ChartKind::Bar] {
            let chart = Chart::new("t", kind, axis()).with_series(Series::new("s", values.clone()));
            assert_eq!(chart.draw().width(), hearth_render::CHART_WIDTH);
        }
    }
    let labels = XAxis::Labels(vec!["warn".into(), "mute".into()]);
    let chart = Chart::new("By kind", ChartKind::Bar, labels)
        .with_series(Series::new("actions", [3.0, 5.0, 8.0]));
    chart.render().unwrap();
}
