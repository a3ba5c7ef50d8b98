//! PNG's Paeth filter over every row, and the rounding of photographs that lets the
//! compressor store them in fewer bits.
//!
//! A photograph's channels are rounded to the nearest multiple of [`PHOTO_STEP`], never more
//! than one away. Paeth predicts each byte as one of its neighbours, so in a rounded photo
//! prediction and residual are multiples of three too: the residuals take a third as many
//! values, which Huffman codes fitted to the image turn into 15–18 KiB less per card (the
//! crate README has the figures). Everything outside the photographs is stored exactly:
//! text, the bar, the panels and the ring but for its inner edge, which blends into the
//! avatar.

use crate::draw;

/// Photographs' colour channels are stored as the nearest multiple of this: 86 levels of
/// 256, none more than one away from what was drawn. It divides 255, so white stays white.
pub(crate) const PHOTO_STEP: u8 = 3;

/// A rectangle of pixels, `x..x + width` by `y..y + height`, or the circle inscribed in it
/// when `round`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) x: u32,
    pub(crate) y: u32,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) round: bool,
}

impl Region {
    /// The columns `from..to` of row `y` inside the region, if any: for a round region, the
    /// pixels `draw::fill_image_in_circle` covers at all, its anti-aliased edge included.
    fn span(&self, y: usize) -> Option<(u32, u32)> {
        let top = self.y as usize;
        if !(top..top + self.height as usize).contains(&y) || self.width == 0 {
            return None;
        }
        let right = self.x.saturating_add(self.width);
        if !self.round {
            return Some((self.x, right));
        }
        #[allow(clippy::cast_precision_loss)]
        let r = self.width.min(self.height) as f32 / 2.0;
        #[allow(clippy::cast_precision_loss)]
        let circle = (self.x as f32 + r, self.y as f32 + r, r);
        let (from, to) = draw::chord(circle, r + 0.5, y, right as usize);
        let from = u32::try_from(from).unwrap_or(u32::MAX).max(self.x);
        let to = u32::try_from(to).unwrap_or(0);
        (from < to).then_some((from, to))
    }
}

/// Rounds the opaque pixels of row `y` inside `photos` (straight alpha, `channels` bytes a
/// pixel, alpha last when there are four) to multiples of [`PHOTO_STEP`].
pub(crate) fn round_photos(row: &mut [u8], y: usize, channels: usize, photos: &[Region]) {
    const ROUNDED: [u8; 256] = {
        let mut table = [0; 256];
        let mut value = 0;
        while value < 256 {
            let step = PHOTO_STEP as usize;
            #[allow(clippy::cast_possible_truncation)]
            {
                table[value] = ((value + step / 2) / step * step) as u8;
            }
            value += 1;
        }
        table
    };
    let width = row.len() / channels;
    for photo in photos {
        let Some((from, to)) = photo.span(y) else {
            continue;
        };
        let (from, to) = ((from as usize).min(width), (to as usize).min(width));
        for pixel in row[from * channels..to * channels].chunks_exact_mut(channels) {
            if channels == 3 || pixel[3] == u8::MAX {
                for value in &mut pixel[..3] {
                    *value = ROUNDED[usize::from(*value)];
                }
            }
        }
    }
}

/// PNG's filter type byte for Paeth.
const PAETH: u8 = 4;

/// Bytes compared at a time for a stretch repeating the row above.
const EXACT_CHUNK: usize = 256;

/// Filters `data` (rows of `width` pixels of `channels` bytes), handing each of PNG's
/// filtered rows, led by its filter type, to `sink`. Each row is first passed to
/// `prepare` with its index, to be converted while it is in cache.
pub(crate) fn paeth(
    data: &mut [u8],
    width: u32,
    channels: usize,
    mut prepare: impl FnMut(usize, &mut [u8]),
    mut sink: impl FnMut(&[u8]),
) {
    let stride = width as usize * channels;
    if stride == 0 || channels == 0 {
        return;
    }
    let mut filtered = vec![0_u8; stride + 1];
    filtered[0] = PAETH;
    let zeros = vec![0_u8; stride];
    for y in 0..data.len() / stride {
        let (above, rest) = data.split_at_mut(y * stride);
        let previous = if y == 0 {
            &zeros[..]
        } else {
            &above[(y - 1) * stride..]
        };
        let row = &mut rest[..stride];
        prepare(y, row);
        filter_row(row, previous, channels, &mut filtered[1..]);
        sink(&filtered);
    }
}

/// Paeth's prediction from the left (`a`), upper (`b`) and upper-left (`c`) bytes.
#[inline]
fn predict(a: u8, b: u8, c: u8) -> u8 {
    let (a16, b16, c16) = (i16::from(a), i16::from(b), i16::from(c));
    let pa = (b16 - c16).abs();
    let pb = (a16 - c16).abs();
    let pc = (a16 + b16 - 2 * c16).abs();
    // Selects rather than branches, so the loop vectorises.
    let b_or_c = if pb <= pc { b } else { c };
    #[allow(clippy::needless_bitwise_bool)]
    let take_a = (pa <= pb) & (pa <= pc);
    if take_a { a } else { b_or_c }
}

/// Filters one row against the row above it.
fn filter_row(row: &[u8], previous: &[u8], channels: usize, out: &mut [u8]) {
    // The first pixel has nothing to its left: Paeth predicts from above.
    let left_edge = channels.min(row.len());
    for i in 0..left_edge {
        out[i] = row[i].wrapping_sub(previous[i]);
    }
    // Where a stretch of the row and the pixel before it repeat the row above, every
    // prediction is the byte above and every residual zero (flat colour, most of a card):
    // comparing is cheaper than predicting.
    let mut start = left_edge;
    while start < row.len() {
        let end = (start + EXACT_CHUNK).min(row.len());
        let out = &mut out[start..end];
        if row[start - channels..end] == previous[start - channels..end] {
            out.fill(0);
        } else {
            let current = &row[start..end];
            let left = &row[start - channels..end - channels];
            let above = &previous[start..end];
            let above_left = &previous[start - channels..end - channels];
            for ((((value, &x), &a), &b), &c) in out
                .iter_mut()
                .zip(current)
                .zip(left)
                .zip(above)
                .zip(above_left)
            {
                *value = x.wrapping_sub(predict(a, b, c));
            }
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{PHOTO_STEP, Region, paeth, predict, round_photos};

    /// The filtered rows, concatenated.
    fn filter(data: &mut [u8], width: u32, channels: usize) -> Vec<u8> {
        let mut out = Vec::new();
        paeth(
            data,
            width,
            channels,
            |_, _| {},
            |row| {
                out.extend_from_slice(row);
            },
        );
        out
    }

    /// Undoes the filter as a PNG decoder does.
    fn unfilter(filtered: &[u8], width: usize, channels: usize) -> Vec<u8> {
        let stride = width * channels;
        let mut out: Vec<u8> = Vec::with_capacity(filtered.len());
        for (y, row) in filtered.chunks_exact(stride + 1).enumerate() {
            assert_eq!(row[0], 4, "every row is Paeth");
            for (i, &residual) in row[1..].iter().enumerate() {
                let a = if i >= channels {
                    out[y * stride + i - channels]
                } else {
                    0
                };
                let b = if y > 0 { out[(y - 1) * stride + i] } else { 0 };
                let c = if y > 0 && i >= channels {
                    out[(y - 1) * stride + i - channels]
                } else {
                    0
                };
                out.push(residual.wrapping_add(predict(a, b, c)));
            }
        }
        out
    }

    #[test]
    fn paeth_predicts_as_the_png_specification_says() {
        assert_eq!(predict(10, 20, 10), 20);
        assert_eq!(predict(20, 10, 10), 20);
        assert_eq!(predict(10, 10, 20), 10);
        assert_eq!(predict(0, 0, 0), 0);
        assert_eq!(predict(255, 0, 255), 0);
    }

    #[test]
    fn a_round_photo_covers_its_circle_and_not_the_corners() {
        let avatar = Region {
            x: 41,
            y: 41,
            width: 200,
            height: 200,
            round: true,
        };
        assert_eq!(avatar.span(40), None);
        assert_eq!(avatar.span(241), None);
        // The middle row spans the whole square; the top row a few pixels around the centre.
        assert_eq!(avatar.span(140), Some((41, 241)));
        let (from, to) = avatar.span(41).unwrap();
        assert!(from > 41 + 80 && to < 241 - 80, "{from}..{to}");
        let square = Region {
            round: false,
            ..avatar
        };
        assert_eq!(square.span(41), Some((41, 241)));
    }

    #[test]
    fn rounding_moves_opaque_photo_pixels_by_at_most_one() {
        let photo = Region {
            x: 1,
            y: 0,
            width: 2,
            height: 1,
            round: false,
        };
        let mut row = vec![
            1, 2, 3, 255, // outside: kept
            1, 2, 254, 255, // inside, opaque: rounded
            4, 5, 7, 128, // inside, translucent: kept
            8, 9, 10, 255, // outside: kept
        ];
        round_photos(&mut row, 0, 4, &[photo]);
        assert_eq!(
            row,
            [1, 2, 3, 255, 0, 3, 255, 255, 4, 5, 7, 128, 8, 9, 10, 255]
        );
        for value in 0..=255_u8 {
            let mut pixel = [value, value, value];
            round_photos(&mut pixel, 0, 3, &[photo.with_x(0)]);
            assert!(pixel[0].abs_diff(value) <= 1 && pixel[0] % PHOTO_STEP == 0);
        }
    }

    impl Region {
        fn with_x(self, x: u32) -> Self {
            Self { x, ..self }
        }
    }

    proptest! {
        #[test]
        fn the_filter_is_lossless(
            (width, channels, data) in (1_usize..40, prop_oneof![Just(3_usize), Just(4)])
                .prop_flat_map(|(width, channels)| {
                    (Just(width), Just(channels),
                     (0_usize..12).prop_flat_map(move |rows| {
                         proptest::collection::vec(0_u8..4, width * channels * rows)
                     }))
                })
        ) {
            // Few distinct values, so stretches repeat the row above as in a drawn image.
            let mut stored = data.clone();
            let filtered = filter(&mut stored, u32::try_from(width).unwrap(), channels);
            prop_assert_eq!(&stored, &data);
            prop_assert_eq!(unfilter(&filtered, width, channels), data);
        }

        #[test]
        fn any_bytes_filter_losslessly(data in proptest::collection::vec(any::<u8>(), 0..4_000)) {
            let width = 300;
            let rows = data.len() / (width * 4);
            let mut data = data[..rows * width * 4].to_vec();
            let original = data.clone();
            let filtered = filter(&mut data, 300, 4);
            prop_assert_eq!(unfilter(&filtered, width, 4), original);
        }
    }

    #[test]
    fn a_rounded_photo_leaves_residuals_in_steps_of_three() {
        let (width, height) = (16_usize, 16_usize);
        let whole = Region {
            x: 0,
            y: 0,
            width: 16,
            height: 16,
            round: false,
        };
        let mut data: Vec<u8> = (0..width * height)
            .flat_map(|i| {
                // Below 128, so no residual wraps past a signed byte.
                let v = u8::try_from((i * 7 + i / 16 * 5) % 90 + 20).unwrap();
                [v, v / 2, 120 - v / 2, 255]
            })
            .collect();
        let mut filtered = Vec::new();
        paeth(
            &mut data,
            16,
            4,
            |y, row| round_photos(row, y, 4, &[whole]),
            |row| filtered.extend_from_slice(row),
        );
        let off_step = filtered
            .chunks_exact(width * 4 + 1)
            .flat_map(|row| row[1..].chunks_exact(4).flat_map(|pixel| &pixel[..3]))
            .filter(|&&r| r.cast_signed() % 3 != 0)
            .count();
        assert_eq!(off_step, 0);
    }
}
