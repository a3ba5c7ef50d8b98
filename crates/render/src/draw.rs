//! Shapes and pictures on a tiny-skia pixmap: rounded rectangles, circles, decoded images.

use std::io::Cursor;

use tiny_skia::{
    FillRule, FilterQuality, IntSize, Paint, Path, PathBuilder, Pattern, Pixmap, Rect, SpreadMode,
    Transform,
};

use crate::colour::Colour;

/// The largest width or height of an avatar or background image that is decoded; larger
/// images draw the default instead, so a hostile upload cannot make a card cost seconds.
pub const IMAGE_MAX_SIDE: u32 = 4_096;

/// A transparent pixmap; callers pass sizes that are non-zero and bounded by constants.
pub(crate) fn canvas(width: u32, height: u32) -> Pixmap {
    Pixmap::new(width, height).expect("canvas sizes are non-zero constants")
}

/// A path for a rectangle with circular corners of `radius` (clamped to half the short side).
pub(crate) fn rounded_rect(x: f32, y: f32, width: f32, height: f32, radius: f32) -> Option<Path> {
    // Cubic control points at this fraction of the radius approximate a quarter circle.
    const KAPPA: f32 = 0.552_284_8;
    let r = radius.min(width / 2.0).min(height / 2.0).max(0.0);
    let k = r * KAPPA;
    let (right, bottom) = (x + width, y + height);
    let mut path = PathBuilder::new();
    path.move_to(x + r, y);
    path.line_to(right - r, y);
    path.cubic_to(right - r + k, y, right, y + r - k, right, y + r);
    path.line_to(right, bottom - r);
    path.cubic_to(
        right,
        bottom - r + k,
        right - r + k,
        bottom,
        right - r,
        bottom,
    );
    path.line_to(x + r, bottom);
    path.cubic_to(x + r - k, bottom, x, bottom - r + k, x, bottom - r);
    path.line_to(x, y + r);
    path.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
    path.close();
    path.finish()
}

/// A path for a circle.
pub(crate) fn circle(cx: f32, cy: f32, r: f32) -> Option<Path> {
    PathBuilder::from_circle(cx, cy, r)
}

/// Fills `path` with a solid colour, anti-aliased.
pub(crate) fn fill(pixmap: &mut Pixmap, path: Option<&Path>, colour: Colour) {
    let Some(path) = path else { return };
    let mut paint = Paint::default();
    paint.set_color(colour.to_skia());
    paint.anti_alias = true;
    pixmap.fill_path(path, &paint, FillRule::Winding, Transform::identity(), None);
}

/// Strokes `path` with a solid colour, anti-aliased.
pub(crate) fn stroke(pixmap: &mut Pixmap, path: Option<&Path>, colour: Colour, width: f32) {
    let Some(path) = path else { return };
    let mut paint = Paint::default();
    paint.set_color(colour.to_skia());
    paint.anti_alias = true;
    let stroke = tiny_skia::Stroke {
        width,
        line_join: tiny_skia::LineJoin::Round,
        line_cap: tiny_skia::LineCap::Round,
        ..tiny_skia::Stroke::default()
    };
    pixmap.stroke_path(path, &paint, &stroke, Transform::identity(), None);
}

/// Fills a rectangle, not anti-aliased (for gridlines and bars on whole pixels).
pub(crate) fn fill_rect(pixmap: &mut Pixmap, rect: Option<Rect>, colour: Colour) {
    let Some(rect) = rect else { return };
    let mut paint = Paint::default();
    paint.set_color(colour.to_skia());
    pixmap.fill_rect(rect, &paint, Transform::identity(), None);
}

/// Decodes PNG, JPEG or WebP bytes into a premultiplied pixmap, or `None` when the bytes are
/// not such an image, are damaged, or are larger than [`IMAGE_MAX_SIDE`].
pub(crate) fn decode(bytes: &[u8]) -> Option<Pixmap> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(IMAGE_MAX_SIDE);
    limits.max_image_height = Some(IMAGE_MAX_SIDE);
    reader.limits(limits);
    let rgba = reader.decode().ok()?.into_rgba8();
    let size = IntSize::from_wh(rgba.width(), rgba.height())?;
    let mut data = rgba.into_raw();
    for pixel in data.chunks_exact_mut(4) {
        let a = u16::from(pixel[3]);
        if a != 255 {
            for channel in &mut pixel[..3] {
                // Exact rounding of c·a/255 without a division.
                let t = u16::from(*channel) * a + 128;
                *channel = u8::try_from((t + (t >> 8)) >> 8).unwrap_or(u8::MAX);
            }
        }
    }
    Pixmap::from_vec(data, size)
}

/// Halves `image` (2×2 box average) until neither side is more than twice `target`, so
/// the bicubic filter that scales the rest of the way does not skip pixels and alias.
pub(crate) fn shrink_for(mut image: Pixmap, target_width: f32, target_height: f32) -> Pixmap {
    while f64::from(image.width()) > 2.0 * f64::from(target_width)
        && f64::from(image.height()) > 2.0 * f64::from(target_height)
    {
        let Some(half) = halve(&image) else { break };
        image = half;
    }
    image
}

fn halve(image: &Pixmap) -> Option<Pixmap> {
    let (width, height) = (image.width() / 2, image.height() / 2);
    let mut half = Pixmap::new(width, height)?;
    let stride = image.width() as usize * 4;
    let source = image.data();
    let target = half.data_mut();
    for y in 0..height as usize {
        for x in 0..width as usize {
            let top = 2 * y * stride + 8 * x;
            let bottom = top + stride;
            for c in 0..4 {
                let sum = u16::from(source[top + c])
                    + u16::from(source[top + 4 + c])
                    + u16::from(source[bottom + c])
                    + u16::from(source[bottom + 4 + c]);
                target[(y * width as usize + x) * 4 + c] = u8::try_from((sum + 2) / 4).ok()?;
            }
        }
    }
    Some(half)
}

/// Fills `path` with `image` scaled to cover the `width`×`height` box at (`x`, `y`), keeping
/// its aspect ratio and cropping what overflows equally on both sides.
pub(crate) fn fill_cover(
    pixmap: &mut Pixmap,
    path: Option<&Path>,
    image: &Pixmap,
    (x, y, width, height): (f32, f32, f32, f32),
) {
    let Some(path) = path else { return };
    #[allow(clippy::cast_precision_loss)]
    let (iw, ih) = (image.width() as f32, image.height() as f32);
    let scale = (width / iw).max(height / ih);
    let dx = x + (width - iw * scale) / 2.0;
    let dy = y + (height - ih * scale) / 2.0;
    let pattern = Pattern::new(
        image.as_ref(),
        SpreadMode::Pad,
        FilterQuality::Bicubic,
        1.0,
        Transform::from_row(scale, 0.0, 0.0, scale, dx, dy),
    );
    let paint = Paint {
        shader: pattern,
        anti_alias: true,
        ..Paint::default()
    };
    pixmap.fill_path(path, &paint, FillRule::Winding, Transform::identity(), None);
}
