//! `/rank` while Discord's CDN fails: the card still comes in time, with the default avatar,
//! and the member's own avatar returns once the CDN is healthy (a failure is not remembered).

use std::time::Duration;

use hearth_sandbox::{
    CommandValue,
    cdn::{AVATAR_ROUTE, avatar_colour},
    state::Message,
};

use crate::harness::{Store, World, answer, on_every_store};

/// The background of the rank card's default avatar (hearth-render's grey).
const DEFAULT_AVATAR: [u8; 3] = [0x4E, 0x50, 0x58];

/// A point inside the card's avatar circle, above the silhouette's head: the avatar's
/// background colour shows there.
const AVATAR_BACKGROUND_AT: (u32, u32) = (141, 55);

/// Longer than the bot waits for an avatar, and than Discord's 3 seconds.
const SLOW: Duration = Duration::from_secs(4);

/// The RGB colour of the pixel at `(x, y)` of a PNG, decoding it whole (a broken file panics).
fn pixel(png: &[u8], (x, y): (u32, u32)) -> [u8; 3] {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png.to_vec()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a sane size")];
    let frame = reader
        .next_frame(&mut buffer)
        .expect("PNG data that decodes");
    let channels = frame.color_type.samples();
    let at = (y as usize * frame.width as usize + x as usize) * channels;
    [buffer[at], buffer[at + 1], buffer[at + 2]]
}

/// Whether two colours match but for the rounding of a resized image.
fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 2)
}

/// Alice runs `/rank`; returns the answer and its card's avatar colour.
async fn rank(world: &World) -> (Message, [u8; 3]) {
    let handle = world
        .alice
        .run_command(world.general, "rank", &[] as &[(&str, CommandValue)]);
    let message = answer(&handle).await;
    let card = &message.attachments.first().expect("a rank card").bytes;
    let colour = pixel(card, AVATAR_BACKGROUND_AT);
    (message, colour)
}

/// The card while the CDN misbehaves shows the default avatar and Alice's numbers; after
/// `recover`, the next `/rank` shows her own avatar.
async fn rank_survives_the_cdn(store: Store, break_cdn: impl Fn(&World)) {
    let world = World::start(store).await;
    world.seed_xp(&world, &[(&world.alice, 500)]).await;
    let own = avatar_colour(world.alice.id().get());
    assert_ne!(own, DEFAULT_AVATAR);

    break_cdn(&world);
    let (message, colour) = rank(&world).await;
    assert!(
        message
            .content
            .ends_with("· rank #1 of 1 · level 3 · 500 XP"),
        "{}",
        message.content
    );
    assert_eq!(
        colour, DEFAULT_AVATAR,
        "the default avatar while the CDN fails"
    );
    assert!(
        world.sandbox.request_count("GET", AVATAR_ROUTE) >= 1,
        "the bot did ask the CDN"
    );

    world.sandbox.clear_faults();
    let (_, colour) = rank(&world).await;
    assert!(
        close(colour, own),
        "her own avatar once the CDN answers again: {colour:?}, not {own:?}"
    );
    world.finish().await;
}

async fn rank_draws_the_default_avatar_while_the_cdn_answers_500(store: Store) {
    rank_survives_the_cdn(store, |world| {
        world.sandbox.fail_route("GET", AVATAR_ROUTE, 500, None);
    })
    .await;
}

async fn rank_answers_in_time_while_the_cdn_is_slow(store: Store) {
    rank_survives_the_cdn(store, |world| {
        world.sandbox.delay_route("GET", AVATAR_ROUTE, SLOW, None);
    })
    .await;
}

on_every_store!(
    rank_draws_the_default_avatar_while_the_cdn_answers_500,
    rank_answers_in_time_while_the_cdn_is_slow,
);
