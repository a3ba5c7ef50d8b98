//! Shapes and pictures on a tiny-skia pixmap: rounded rectangles, circles, decoded images.

use std::io::Cursor;

use tiny_skia::{FillRule, IntSize, Mask, Paint, Path, PathBuilder, Pixmap, Rect, Transform};

use crate::colour::Colour;

/// The largest width or height of an avatar or background image that is decoded; larger
/// images draw the default instead, so a hostile upload cannot make a card cost seconds.
pub const IMAGE_MAX_SIDE: u32 = 4_096;

/// Cubic control points at this fraction of the radius approximate a quarter circle.
const KAPPA: f32 = 0.552_284_8;

/// A transparent pixmap; callers pass sizes that are non-zero and bounded by constants.
pub(crate) fn canvas(width: u32, height: u32) -> Pixmap {
    Pixmap::new(width, height).expect("canvas sizes are non-zero constants")
}

/// A path for a rectangle with circular corners of `radius` (clamped to half the short side).
pub(crate) fn rounded_rect(x: f32, y: f32, width: f32, height: f32, radius: f32) -> Option<Path> {
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

/// Fills a rounded rectangle on whole pixels, as three parts: anti-aliased bands for the
/// rounded top and bottom, and a plain rectangle between them.
///
/// Same pixels as filling [`rounded_rect`] (edges on whole pixels are fully covered), but
/// tiny-skia's supersampling anti-aliasing then only runs over the corners' rows: for the
/// card's two panels that halves the drawing time.
pub(crate) fn fill_rounded(
    pixmap: &mut Pixmap,
    (x, y, width, height): Whole,
    radius: u32,
    colour: Colour,
) {
    let radius = radius.min(width / 2).min(height / 2);
    #[allow(clippy::cast_precision_loss)]
    let [left, top, width, height, r] = [x, y, width, height, radius].map(|v| v as f32);
    let k = r * KAPPA;
    let (right, bottom) = (left + width, top + height);
    let mut upper = PathBuilder::new();
    upper.move_to(left, top + r);
    upper.cubic_to(left, top + r - k, left + r - k, top, left + r, top);
    upper.line_to(right - r, top);
    upper.cubic_to(right - r + k, top, right, top + r - k, right, top + r);
    upper.close();
    let mut lower = PathBuilder::new();
    lower.move_to(right, bottom - r);
    lower.cubic_to(
        right,
        bottom - r + k,
        right - r + k,
        bottom,
        right - r,
        bottom,
    );
    lower.line_to(left + r, bottom);
    lower.cubic_to(left + r - k, bottom, left, bottom - r + k, left, bottom - r);
    lower.close();
    fill(pixmap, upper.finish().as_ref(), colour);
    fill_rect(
        pixmap,
        Rect::from_xywh(left, top + r, width, height - 2.0 * r),
        colour,
    );
    fill(pixmap, lower.finish().as_ref(), colour);
}

/// A rectangle on whole pixels: x, y, width, height.
pub(crate) type Whole = (u32, u32, u32, u32);

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

/// A circle: centre x, centre y, radius, in pixels.
pub(crate) type Circle = (f32, f32, f32);

/// How much, 0–255, of the pixel whose centre lies `distance` from a disc's centre the disc
/// of radius `r` covers: the part of a pixel-wide band across the edge inside it. Exact for
/// the straight stretches of an edge and within a level or two on a curve of a few pixels'
/// radius or more, and smoother than sampling.
fn disc_coverage(distance: f32, r: f32) -> f32 {
    (r - distance + 0.5).clamp(0.0, 1.0)
}

/// The columns of row `y` (as pixel indices, `from..to`) whose centres lie within `radius`
/// of the circle's centre, clamped to `0..width`.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
pub(crate) fn chord((cx, cy, _): Circle, radius: f32, y: usize, width: usize) -> (usize, usize) {
    let dy = y as f32 + 0.5 - cy;
    if radius <= 0.0 || dy.abs() >= radius {
        return (0, 0);
    }
    let half = (radius * radius - dy * dy).sqrt();
    let from = (cx - half - 0.5).ceil().max(0.0) as usize;
    let to = ((cx + half - 0.5).floor() + 1.0).max(0.0) as usize;
    (from.min(width), to.min(width).max(from.min(width)))
}

/// Source-over of a premultiplied `source` pixel, scaled by `coverage` (0–255), onto `target`.
fn blend(target: &mut [u8], source: [u8; 4], coverage: u32) {
    // In 0..=255²: the source's share, then what is left of the target.
    let keep = 255 * 255 - coverage * u32::from(source[3]);
    for c in 0..4 {
        let value = u32::from(source[c]) * coverage * 255 + u32::from(target[c]) * keep;
        target[c] = u8::try_from((value + 32_512) / 65_025).unwrap_or(u8::MAX);
    }
}

/// Coverage as 0–255, in sixteenths, the levels tiny-skia's 4×4 supersampling gives the
/// other edges: the edge looks the same, and fewer distinct values make the card's PNG
/// 0.4 KiB smaller than 256 levels would.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn to_coverage(fraction: f32) -> u32 {
    ((fraction * 16.0 + 0.5) as u32 * 16).min(255)
}

/// Fills the ring between radii `r - width / 2` and `r + width / 2` of `circle` with a solid
/// colour, anti-aliased. Computed from each pixel's distance to the centre, on the rows and
/// columns the ring crosses, rather than by rasterising a path: less than half the time.
pub(crate) fn ring(pixmap: &mut Pixmap, circle: Circle, width: f32, colour: Colour) {
    let (cx, cy, r) = circle;
    let (outer, inner) = (r + width / 2.0, (r - width / 2.0).max(0.0));
    let source = premultiplied(colour);
    let (columns, rows) = (pixmap.width() as usize, pixmap.height() as usize);
    let target = pixmap.data_mut();
    for y in 0..rows {
        let (from, to) = chord(circle, outer + 0.5, y, columns);
        // Pixels fully inside the hole: nothing to do there.
        let (hole_from, hole_to) = chord(circle, inner - 0.5, y, columns);
        #[allow(clippy::cast_precision_loss)]
        let dy = y as f32 + 0.5 - cy;
        let (left, right) = if hole_from < hole_to {
            (from..hole_from.max(from), hole_to.min(to)..to)
        } else {
            (from..to, 0..0)
        };
        for x in left.chain(right) {
            #[allow(clippy::cast_precision_loss)]
            let dx = x as f32 + 0.5 - cx;
            let distance = (dx * dx + dy * dy).sqrt();
            let coverage = disc_coverage(distance, outer) - disc_coverage(distance, inner);
            let coverage = to_coverage(coverage);
            if coverage > 0 {
                blend(&mut target[(y * columns + x) * 4..][..4], source, coverage);
            }
        }
    }
}

/// Draws `image` unscaled with its top-left corner at whole pixel (`x`, `y`), only inside
/// `circle` (anti-aliased at its edge), source-over: the same edge as [`ring`] draws.
pub(crate) fn fill_image_in_circle(
    pixmap: &mut Pixmap,
    image: &Pixmap,
    (x, y): (u32, u32),
    circle: Circle,
) {
    let (cx, cy, r) = circle;
    let (columns, rows) = (pixmap.width() as usize, pixmap.height() as usize);
    let (x, y) = (x as usize, y as usize);
    let image_width = image.width() as usize;
    let right = (x + image_width).min(columns);
    let bottom = (y + image.height() as usize).min(rows);
    let source = image.data();
    let target = pixmap.data_mut();
    for row in y..bottom {
        let (from, to) = chord(circle, r + 0.5, row, right);
        let (full_from, full_to) = chord(circle, r - 0.5, row, right);
        #[allow(clippy::cast_precision_loss)]
        let dy = row as f32 + 0.5 - cy;
        let (from, full_from, full_to) = (from.max(x), full_from.max(x), full_to.max(x));
        let source_at = |column: usize| ((row - y) * image_width + column - x) * 4;
        let target_at = |column: usize| (row * columns + column) * 4;
        // The fully covered middle of the row, in one copy when it is opaque (a photograph).
        let middle = &source[source_at(full_from)..source_at(full_to.max(full_from))];
        let copied = full_from < full_to && middle.chunks_exact(4).all(|pixel| pixel[3] == u8::MAX);
        if copied {
            target[target_at(full_from)..target_at(full_to)].copy_from_slice(middle);
        }
        let (left, right) = if copied {
            (from..full_from, full_to..to)
        } else {
            (from..to, 0..0)
        };
        for column in left.chain(right) {
            let pixel: [u8; 4] = source[source_at(column)..source_at(column) + 4]
                .try_into()
                .unwrap_or_default();
            let dst = &mut target[target_at(column)..target_at(column) + 4];
            let coverage = if (full_from..full_to).contains(&column) {
                255
            } else {
                #[allow(clippy::cast_precision_loss)]
                let dx = column as f32 + 0.5 - cx;
                to_coverage(disc_coverage((dx * dx + dy * dy).sqrt(), r))
            };
            if coverage == 255 && pixel[3] == u8::MAX {
                dst.copy_from_slice(&pixel);
            } else if coverage > 0 {
                blend(dst, pixel, coverage);
            }
        }
    }
}

/// A colour as premultiplied RGBA bytes.
fn premultiplied(colour: Colour) -> [u8; 4] {
    let a = u16::from(colour.a);
    let [r, g, b] = [colour.r, colour.g, colour.b].map(|c| premultiply_channel(c, a));
    [r, g, b, colour.a]
}

/// `c·a/255`, rounded to the nearest, without a division.
fn premultiply_channel(c: u8, a: u16) -> u8 {
    let t = u16::from(c) * a + 128;
    u8::try_from((t + (t >> 8)) >> 8).unwrap_or(u8::MAX)
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
    let image = reader.decode().ok()?;
    let size = IntSize::from_wh(image.width(), image.height())?;
    let data = match image {
        // Most avatars are JPEG: opaque RGB needs widening, not premultiplying.
        image::DynamicImage::ImageRgb8(rgb) => {
            let mut data = vec![u8::MAX; rgb.as_raw().len() / 3 * 4];
            for (target, source) in data.chunks_exact_mut(4).zip(rgb.as_raw().chunks_exact(3)) {
                target[..3].copy_from_slice(source);
            }
            data
        }
        image => premultiply(image.into_rgba8().into_raw()),
    };
    Pixmap::from_vec(data, size)
}

fn premultiply(mut data: Vec<u8>) -> Vec<u8> {
    for pixel in data.chunks_exact_mut(4) {
        let a = u16::from(pixel[3]);
        if a != 255 {
            for channel in &mut pixel[..3] {
                *channel = premultiply_channel(*channel, a);
            }
        }
    }
    data
}

/// Scales `image` to cover `width`×`height` exactly, keeping its aspect ratio and cropping
/// what overflows equally on both sides.
///
/// A separable triangle filter whose support grows with the reduction averages every source
/// pixel, so large images shrink without aliasing and photo grain is smoothed, not sampled.
pub(crate) fn resize_cover(image: &Pixmap, width: u32, height: u32) -> Option<Pixmap> {
    let source_size = (f64::from(image.width()), f64::from(image.height()));
    let target_size = (f64::from(width), f64::from(height));
    let scale = (target_size.0 / source_size.0).max(target_size.1 / source_size.1);
    let crop = (target_size.0 / scale, target_size.1 / scale);
    let columns = weights((source_size.0 - crop.0) / 2.0, crop.0, width, image.width());
    let rows = weights(
        (source_size.1 - crop.1) / 2.0,
        crop.1,
        height,
        image.height(),
    );

    let source = image.data();
    let stride = image.width() as usize * 4;
    // Only the source columns some output column reads are filtered vertically.
    let first = columns.first().map_or(0, |tap| tap.start);
    let last = columns
        .last()
        .map_or(0, |tap| tap.start + tap.weights.len());
    let mut down = vec![0.0_f32; (last - first) * 4];
    // Windows of three taps suffice up to about a 1.5× reduction (a 256-pixel avatar drawn at
    // 200), four up to 2×; beyond that, the general loop.
    let three = pad::<3>(&columns, first, last);
    let four = three
        .is_none()
        .then(|| pad::<4>(&columns, first, last))
        .flatten();
    let mut out = Pixmap::new(width, height)?;
    let row_len = width as usize * 4;
    for (tap, out_row) in rows.iter().zip(out.data_mut().chunks_exact_mut(row_len)) {
        // Vertical first: whole rows, which the compiler turns into vector arithmetic.
        down.fill(0.0);
        for (k, &weight) in tap.weights.iter().enumerate() {
            let line = &source[(tap.start + k) * stride..][first * 4..last * 4];
            for (total, &value) in down.iter_mut().zip(line) {
                *total += f32::from(value) * weight;
            }
        }
        match (&three, &four) {
            (Some(three), _) => horizontal::<3>(&down, three, out_row),
            (None, Some(four)) => horizontal::<4>(&down, four, out_row),
            (None, None) => {
                for (tap, pixel) in columns.iter().zip(out_row.chunks_exact_mut(4)) {
                    let inputs = &down[(tap.start - first) * 4..][..tap.weights.len() * 4];
                    let mut total = [0.0_f32; 4];
                    for (input, &weight) in inputs.chunks_exact(4).zip(&tap.weights) {
                        for c in 0..4 {
                            total[c] += input[c] * weight;
                        }
                    }
                    store(total, pixel);
                }
            }
        }
    }
    Some(out)
}

/// `columns` as windows of exactly `N` taps (zero weights filling out the short ones), each
/// starting within `first..last - N` so it never reads past the filtered row; `None` if some
/// column needs more taps or the row is narrower than `N`.
fn pad<const N: usize>(
    columns: &[Taps],
    first: usize,
    last: usize,
) -> Option<Vec<(usize, [f32; N])>> {
    let width = last - first;
    if width < N {
        return None;
    }
    columns
        .iter()
        .map(|tap| {
            if tap.weights.len() > N {
                return None;
            }
            let start = (tap.start - first).min(width - N);
            let shift = tap.start - first - start;
            let mut weights = [0.0; N];
            weights[shift..shift + tap.weights.len()].copy_from_slice(&tap.weights);
            Some((start, weights))
        })
        .collect()
}

/// The horizontal pass with `N` taps per output pixel, which the compiler unrolls and does
/// four channels at a time.
fn horizontal<const N: usize>(down: &[f32], columns: &[(usize, [f32; N])], out_row: &mut [u8]) {
    for (&(start, weights), pixel) in columns.iter().zip(out_row.chunks_exact_mut(4)) {
        let inputs = &down[start * 4..start * 4 + N * 4];
        let mut total = [0.0_f32; 4];
        for (k, &weight) in weights.iter().enumerate() {
            for c in 0..4 {
                total[c] += inputs[k * 4 + c] * weight;
            }
        }
        store(total, pixel);
    }
}

/// Rounds a filtered pixel into `pixel`, premultiplied: no colour channel may exceed alpha.
fn store(total: [f32; 4], pixel: &mut [u8]) {
    let alpha = to_u8(total[3]);
    pixel[3] = alpha;
    for c in 0..3 {
        pixel[c] = to_u8(total[c]).min(alpha);
    }
}

/// The source pixels one output pixel reads, and how much each counts.
struct Taps {
    start: usize,
    weights: Vec<f32>,
}

/// Triangle-filter taps mapping `out_len` pixels onto `len` source pixels from `offset`.
fn weights(offset: f64, len: f64, out_len: u32, source_len: u32) -> Vec<Taps> {
    let step = len / f64::from(out_len);
    let radius = step.max(1.0);
    let last = f64::from(source_len - 1);
    (0..out_len)
        .map(|o| {
            let centre = offset + (f64::from(o) + 0.5) * step - 0.5;
            let from = (centre - radius).ceil().clamp(0.0, last);
            let to = (centre + radius).floor().clamp(0.0, last);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let taps = (to - from) as u32 + 1;
            let mut weights: Vec<f32> = (0..taps)
                .map(|k| from + f64::from(k))
                .map(|i| {
                    #[allow(clippy::cast_possible_truncation)]
                    let weight = (1.0 - (i - centre).abs() / radius).max(0.0) as f32;
                    weight
                })
                .collect();
            let total: f32 = weights.iter().sum();
            if total > 0.0 {
                for weight in &mut weights {
                    *weight /= total;
                }
            } else {
                weights = vec![1.0];
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let start = from as usize;
            Taps { start, weights }
        })
        .collect()
}

/// Rounds to the nearest byte, clamping to 0–255: adding 1.5·2²³ leaves the rounded value
/// in the float's low mantissa bits, with no float-to-integer conversion to stop the
/// compiler doing four channels at once.
fn to_u8(value: f32) -> u8 {
    const MAGIC: f32 = 12_582_912.0;
    (value.clamp(0.0, 255.0) + MAGIC).to_bits().to_le_bytes()[0]
}

/// Draws `image` unscaled with its top-left corner at whole pixel (`x`, `y`), only inside
/// `path` (anti-aliased at its edge), source-over.
pub(crate) fn fill_image(pixmap: &mut Pixmap, path: Option<&Path>, image: &Pixmap, x: u32, y: u32) {
    let Some(path) = path else { return };
    let Some(mut mask) = Mask::new(image.width(), image.height()) else {
        return;
    };
    #[allow(clippy::cast_precision_loss)]
    let shift = Transform::from_translate(-(x as f32), -(y as f32));
    mask.fill_path(path, FillRule::Winding, true, shift);
    let (width, height) = (pixmap.width() as usize, pixmap.height() as usize);
    let (x, y) = (x as usize, y as usize);
    let columns = (image.width() as usize).min(width.saturating_sub(x));
    let rows = (image.height() as usize).min(height.saturating_sub(y));
    let source = image.data();
    let coverage = mask.data();
    let target = pixmap.data_mut();
    for row in 0..rows {
        for column in 0..columns {
            let at = row * image.width() as usize + column;
            let m = u32::from(coverage[at]);
            if m == 0 {
                continue;
            }
            let src = &source[at * 4..at * 4 + 4];
            let dst = &mut target[((y + row) * width + x + column) * 4..][..4];
            if m == 255 && src[3] == 255 {
                dst.copy_from_slice(src);
                continue;
            }
            blend(dst, src.try_into().unwrap_or_default(), m);
        }
    }
}
