//! A drawn image and its PNG encoding.

use tiny_skia::Pixmap;

use crate::{
    deflate,
    error::RenderError,
    filter::{self, Region},
};

/// How the PNG is compressed; at card size, encoding costs about as much as drawing.
///
/// The default, [`PngEncoding::Fast`], was chosen with `cargo bench -p hearth-render`, which
/// prints time and size for each setting and for real photographs as avatars (see the crate
/// README for the figures and the reasoning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PngEncoding {
    /// The crate's own encoder: the Paeth filter on every row, then runs and literals coded
    /// with Huffman codes fitted to each stretch of the image. Photographs (the avatar, a
    /// background image) are stored with each colour channel rounded to a multiple of three,
    /// within ±[`PHOTO_TOLERANCE`] of what was drawn, which takes a third off what a
    /// photograph costs (a card with a photo avatar: about 62–79 KiB rather than 80–97 KiB);
    /// everything else is exact. Under a millisecond for a card.
    #[default]
    Fast,
    /// The same encoder with every pixel exact, photographs included.
    FastExact,
    /// zlib level 6 with adaptive per-row filters, every pixel exact: several times slower
    /// than `Fast`, and a third smaller on flat-coloured images such as charts, which
    /// [`Chart::render`](crate::Chart::render) encodes with it.
    Balanced,
    /// zlib level 9 with adaptive per-row filters, every pixel exact: for images that are
    /// stored and served many times; barely smaller than `Balanced`, several times slower.
    Small,
}

/// How far [`PngEncoding::Fast`] may move a colour channel of a photograph's pixel (out of
/// 255): invisible, and far less than the JPEG or WebP compression avatars already carry.
pub const PHOTO_TOLERANCE: u8 = filter::PHOTO_STEP / 2;

impl PngEncoding {
    /// Every setting, for benchmarks and comparisons.
    pub const ALL: [Self; 4] = [Self::Fast, Self::FastExact, Self::Balanced, Self::Small];

    /// The `png` crate's settings, for the encodings it does.
    fn png_crate(self) -> Option<(png::Filter, png::DeflateCompression)> {
        match self {
            Self::Fast | Self::FastExact => None,
            Self::Balanced => Some((png::Filter::Adaptive, png::DeflateCompression::Level(6))),
            Self::Small => Some((png::Filter::Adaptive, png::DeflateCompression::Level(9))),
        }
    }
}

/// A drawn image: premultiplied RGBA pixels, ready to encode.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pixmap: Pixmap,
    /// Where photographs were drawn, which [`PngEncoding::Fast`] may store approximately.
    photos: Vec<Region>,
}

impl Picture {
    pub(crate) fn new(pixmap: Pixmap) -> Self {
        Self {
            pixmap,
            photos: Vec::new(),
        }
    }

    /// Marks `region` as a photograph.
    pub(crate) fn with_photo(mut self, region: Region) -> Self {
        self.photos.push(region);
        self
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.pixmap.width()
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.pixmap.height()
    }

    /// The pixels, row by row, as premultiplied RGBA bytes.
    pub fn premultiplied_rgba(&self) -> &[u8] {
        self.pixmap.data()
    }

    /// Encodes the picture as PNG with the default [`PngEncoding`].
    ///
    /// # Errors
    ///
    /// [`RenderError::Encode`] if the encoder fails, which writing to memory should never do.
    pub fn to_png(&self) -> Result<Vec<u8>, RenderError> {
        self.to_png_with(PngEncoding::default())
    }

    /// Encodes the picture as PNG, as RGB when every pixel is opaque and RGBA otherwise.
    ///
    /// # Errors
    ///
    /// [`RenderError::Encode`] if the encoder fails, which writing to memory should never do.
    pub fn to_png_with(&self, encoding: PngEncoding) -> Result<Vec<u8>, RenderError> {
        encode(
            self.pixmap.data().to_vec(),
            self.width(),
            &self.photos,
            encoding,
        )
    }

    /// Encodes the picture as PNG with the default [`PngEncoding`], reusing its pixel buffer
    /// rather than copying it (a megabyte for a card).
    ///
    /// # Errors
    ///
    /// [`RenderError::Encode`] if the encoder fails, which writing to memory should never do.
    pub fn into_png(self) -> Result<Vec<u8>, RenderError> {
        self.into_png_with(PngEncoding::default())
    }

    /// Encodes the picture as PNG with `encoding`, reusing its pixel buffer rather than
    /// copying it.
    ///
    /// # Errors
    ///
    /// [`RenderError::Encode`] if the encoder fails, which writing to memory should never do.
    pub fn into_png_with(self, encoding: PngEncoding) -> Result<Vec<u8>, RenderError> {
        let width = self.width();
        encode(self.pixmap.take(), width, &self.photos, encoding)
    }
}

/// Encodes premultiplied RGBA `data`, converting it in place to what PNG stores.
fn encode(
    mut data: Vec<u8>,
    width: u32,
    photos: &[Region],
    encoding: PngEncoding,
) -> Result<Vec<u8>, RenderError> {
    let height = u32::try_from(data.len() / 4 / (width as usize).max(1)).unwrap_or(0);
    let opaque = data.chunks_exact(4).all(|pixel| pixel[3] == u8::MAX);
    let (colour_type, channels) = if opaque {
        // Pack RGBA into RGB from the front: the write position never passes the read one.
        let pixels = data.len() / 4;
        for i in 0..pixels {
            data.copy_within(i * 4..i * 4 + 3, i * 3);
        }
        data.truncate(pixels * 3);
        (png::ColorType::Rgb, 3)
    } else {
        (png::ColorType::Rgba, 4)
    };
    let mut out = Vec::with_capacity(data.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(colour_type);
    encoder.set_depth(png::BitDepth::Eight);
    let boxed = |err: png::EncodingError| RenderError::Encode(Box::new(err));
    if let Some((filter, deflate)) = encoding.png_crate() {
        if !opaque {
            demultiply(&mut data);
        }
        encoder.set_deflate_compression(deflate);
        encoder.set_filter(filter);
        let mut writer = encoder.write_header().map_err(boxed)?;
        writer.write_image_data(&data).map_err(boxed)?;
        writer.finish().map_err(boxed)?;
    } else {
        let mut compressor = deflate::Compressor::new(data.len());
        let photos = if encoding == PngEncoding::Fast {
            photos
        } else {
            &[]
        };
        filter::paeth(
            &mut data,
            width,
            channels,
            |y, row| {
                if !opaque {
                    demultiply(row);
                }
                filter::round_photos(row, y, channels, photos);
            },
            |row| compressor.write(row),
        );
        let compressed = compressor.finish();
        let mut writer = encoder.write_header().map_err(boxed)?;
        writer
            .write_chunk(png::chunk::IDAT, &compressed)
            .map_err(boxed)?;
        writer.finish().map_err(boxed)?;
    }
    Ok(out)
}

/// Premultiplied RGBA to the straight alpha PNG stores, in place.
fn demultiply(data: &mut [u8]) {
    for pixel in data.chunks_exact_mut(4) {
        let a = u16::from(pixel[3]);
        match a {
            0 => pixel.fill(0),
            255 => {}
            _ => {
                for channel in &mut pixel[..3] {
                    let straight = (u16::from(*channel) * 255 + a / 2) / a;
                    *channel = u8::try_from(straight).unwrap_or(u8::MAX);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PngEncoding, demultiply};
    use crate::{CardOptions, Chart, ChartKind, RankCard, Series, XAxis};

    /// Decodes a PNG to its raw 8-bit samples, with no conversion.
    fn samples(png: &[u8]) -> (png::ColorType, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        buf.truncate(info.buffer_size());
        (info.color_type, buf)
    }

    #[test]
    fn every_encoding_but_fast_is_exact_and_fast_moves_only_photographs_by_one() {
        let card = RankCard {
            name: "Ada Lovelace",
            level: 12,
            rank: 4,
            xp: 1_234,
            xp_required: 2_000,
            avatar: Some(include_bytes!("../tests/fixtures/avatar.jpg")),
            options: CardOptions::default(),
        }
        .draw();
        let mut straight = card.premultiplied_rgba().to_vec();
        demultiply(&mut straight);
        let chart = Chart::new(
            "Lossless",
            ChartKind::Bar,
            XAxis::Labels(vec!["a".into(), "b".into()]),
        )
        .with_series(Series::new("s", vec![3.0, 5.0]))
        .draw();
        // Opaque: RGB, the premultiplied and straight values being the same.
        let rgb: Vec<u8> = chart
            .premultiplied_rgba()
            .chunks_exact(4)
            .flat_map(|pixel| &pixel[..3])
            .copied()
            .collect();
        for encoding in PngEncoding::ALL {
            let (colour, chart_samples) = samples(&chart.to_png_with(encoding).unwrap());
            assert_eq!(colour, png::ColorType::Rgb, "chart, {encoding:?}");
            assert!(chart_samples == rgb, "chart, {encoding:?}: pixels differ");
            let (colour, card_samples) = samples(&card.to_png_with(encoding).unwrap());
            assert_eq!(colour, png::ColorType::Rgba, "card, {encoding:?}");
            if encoding != PngEncoding::Fast {
                assert!(
                    card_samples == straight,
                    "card, {encoding:?}: pixels differ"
                );
            }
        }

        // Fast: the avatar square within one step per colour channel, the rest exact.
        let png = card.to_png_with(PngEncoding::Fast).unwrap();
        assert_eq!(card.clone().into_png().unwrap(), png);
        let (_, fast) = samples(&png);
        let width = card.width() as usize;
        let avatar = 41..241;
        let mut moved = 0;
        for (i, (&drawn, &stored)) in straight.iter().zip(&fast).enumerate() {
            let (x, y) = ((i / 4) % width, i / 4 / width);
            if avatar.contains(&x) && avatar.contains(&y) && i % 4 != 3 {
                assert!(drawn.abs_diff(stored) <= super::PHOTO_TOLERANCE, "byte {i}");
                moved += usize::from(drawn != stored);
            } else {
                assert_eq!(
                    drawn, stored,
                    "byte {i} at ({x}, {y}) is outside the avatar"
                );
            }
        }
        // About two colour bytes in three move in a noisy photograph.
        let avatar_bytes = 200 * 200 * 3;
        assert!(moved > avatar_bytes / 3, "{moved} of {avatar_bytes} moved");
    }
}
