//! Discord's CDN, as far as avatars go: `GET /cdn/avatars/{user}/{hash}.png` and
//! `GET /cdn/embed/avatars/{index}.png` (the default avatars, index 0–5). See Discord
//! Docs/Reference ("Image Formatting", "CDN Endpoints").
//!
//! Each image is drawn on request: a head-and-shoulders silhouette on a colour of the user's
//! (or of the default avatar's index), 128 px square, as PNG. Its routes take the faults the
//! REST routes take (a failing status, a delay), and their requests are recorded with theirs.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{
    Shared,
    state::{FaultKind, RecordedRequest},
};

/// Where the CDN routes are mounted on the sandbox's HTTP address.
pub(crate) const CDN_PREFIX: &str = "/cdn";

/// The side of every avatar served, in pixels.
pub const AVATAR_SIDE: u32 = 128;

/// The colours of Discord's six default avatars, in index order.
const DEFAULT_COLOURS: [[u8; 3]; 6] = [
    [0x58, 0x65, 0xF2],
    [0x75, 0x7E, 0x8A],
    [0x3B, 0xA5, 0x5C],
    [0xFA, 0xA6, 0x1A],
    [0xED, 0x42, 0x45],
    [0xEB, 0x45, 0x9F],
];

/// A user's own avatar: the route's template, as requests are recorded under it and faults
/// are set on it ([`crate::Sandbox::fail_route`], [`crate::Sandbox::delay_route`]).
pub const AVATAR_ROUTE: &str = "/cdn/avatars/{user}/{file}";

/// Discord's default avatars, by index.
pub const DEFAULT_AVATAR_ROUTE: &str = "/cdn/embed/avatars/{file}";

/// Every CDN route (all `GET`).
pub const ROUTES: [&str; 2] = [AVATAR_ROUTE, DEFAULT_AVATAR_ROUTE];

/// The CDN routes, to merge into the REST router.
pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    debug_assert!(ROUTES.iter().all(|r| r.starts_with(CDN_PREFIX)));
    axum::Router::new()
        .route(AVATAR_ROUTE, axum::routing::get(avatar))
        .route(DEFAULT_AVATAR_ROUTE, axum::routing::get(default_avatar))
        .with_state(shared)
}

/// Records a CDN request (as it arrives) and applies the route's fault, if one is set: `Some`
/// answer for a failing status or a rate limit, `None` (after the delay, for a slow route) to
/// serve it.
async fn fault(shared: &Shared, route: &'static str, path: String) -> Option<Response> {
    let (status, delay) = shared.with(|s| {
        let (status, delay) = match crate::rest::take_fault(s, "GET", route) {
            Some(FaultKind::Status(status)) => (Some(status), None),
            Some(FaultKind::RateLimited { .. }) => (Some(429), None),
            // A GET acts on nothing: answering late is being slow.
            Some(FaultKind::Delay(delay) | FaultKind::AnswerLate(delay)) => (None, Some(delay)),
            None => (None, None),
        };
        s.requests.push(RecordedRequest {
            at: std::time::Instant::now(),
            method: "GET".to_owned(),
            path,
            route: Some(route.to_owned()),
            status: status.unwrap_or(200),
            reason: None,
        });
        (status, delay)
    });
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    status.map(|status| {
        StatusCode::from_u16(status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response()
    })
}

/// The colour of a user's own avatar as the sandbox's CDN draws it (the background around
/// their silhouette): a darker shade than any default avatar, so a test can tell which one a
/// rank card shows.
pub fn avatar_colour(user: u64) -> [u8; 3] {
    let [r, g, b] = DEFAULT_COLOURS[usize::try_from(user % 6).unwrap_or(0)];
    [r / 2 + 0x20, g / 2 + 0x20, b / 2 + 0x20]
}

async fn avatar(
    State(shared): State<Arc<Shared>>,
    Path((user, file)): Path<(u64, String)>,
) -> Response {
    if let Some(failed) = fault(&shared, AVATAR_ROUTE, format!("/cdn/avatars/{user}/{file}")).await
    {
        return failed;
    }
    let Some(hash) = file.strip_suffix(".png") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let known = shared.read(|s| {
        s.users
            .get(&user)
            .is_some_and(|u| avatar_hash(u.id) == hash)
    });
    if !known {
        return StatusCode::NOT_FOUND.into_response();
    }
    png_response(&disc(avatar_colour(user)))
}

async fn default_avatar(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let path = format!("/cdn/embed/avatars/{file}");
    if let Some(failed) = fault(&shared, DEFAULT_AVATAR_ROUTE, path).await {
        return failed;
    }
    let index = file
        .strip_suffix(".png")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n < DEFAULT_COLOURS.len());
    match index {
        Some(index) => png_response(&disc(DEFAULT_COLOURS[index])),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The avatar hash the sandbox gives a user: every member has one, derived from their id.
pub(crate) fn avatar_hash(user: u64) -> String {
    format!(
        "{:032x}",
        u128::from(user).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    )
}

fn png_response(png: &[u8]) -> Response {
    ([(header::CONTENT_TYPE, "image/png")], png.to_vec()).into_response()
}

/// A person's silhouette (a head and shoulders) in a light tint of `colour` on `colour`,
/// smoothed at the edges, as PNG.
fn disc(colour: [u8; 3]) -> Vec<u8> {
    const SAMPLES: u32 = 4;
    let side = AVATAR_SIDE;
    let unit = f64::from(side);
    let light = colour.map(|c| c / 4 + 0xC0);
    let inside = |x: f64, y: f64| {
        let head = (x - 0.5).powi(2) + (y - 0.40).powi(2) < 0.17_f64.powi(2);
        let shoulders = ((x - 0.5) / 0.30).powi(2) + ((y - 0.92) / 0.30).powi(2) < 1.0;
        head || shoulders
    };
    let mut pixels = Vec::with_capacity((side * side * 3) as usize);
    for y in 0..side {
        for x in 0..side {
            let mut covered = 0;
            for sy in 0..SAMPLES {
                for sx in 0..SAMPLES {
                    let px = (f64::from(x) + (f64::from(sx) + 0.5) / f64::from(SAMPLES)) / unit;
                    let py = (f64::from(y) + (f64::from(sy) + 0.5) / f64::from(SAMPLES)) / unit;
                    covered += u32::from(inside(px, py));
                }
            }
            let t = f64::from(covered) / f64::from(SAMPLES * SAMPLES);
            for channel in 0..3 {
                let mixed = f64::from(colour[channel]) * (1.0 - t) + f64::from(light[channel]) * t;
                // Between two u8 values, so in range.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                pixels.push(mixed.round() as u8);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Writing to memory cannot fail.
    if let Ok(mut writer) = encoder.write_header() {
        let _ = writer.write_image_data(&pixels);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disc_is_a_png_of_the_avatar_size() {
        let png = disc([1, 2, 3]);
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!(
            (reader.info().width, reader.info().height),
            (AVATAR_SIDE, AVATAR_SIDE)
        );
    }
}
