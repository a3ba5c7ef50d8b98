//! A drawn image and its PNG encoding.

use tiny_skia::Pixmap;

use crate::error::RenderError;

/// How hard the PNG encoder works; at card size, encoding costs about as much as drawing.
///
/// Every setting is lossless: the PNG decodes to exactly the drawn pixels. The default,
/// [`PngEncoding::Fast`], was chosen with `cargo bench -p hearth-render`, which prints time
/// and size for each setting and for the `png` crate's other filter and compression choices
/// (see the crate README for the figures and the reasoning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PngEncoding {
    /// fdeflate with the Paeth filter on every row: about half a millisecond for a card, the
    /// only setting that keeps a card within 2 ms. `Balanced` is about 15 % smaller on a card
    /// with a photo avatar and about 45 % smaller on flat-coloured charts.
    #[default]
    Fast,
    /// zlib level 6 with adaptive per-row filters: the smallest PNG for the time, several
    /// times slower than `Fast`.
    Balanced,
    /// zlib level 9 with adaptive per-row filters: for images that are stored and served many
    /// times; barely smaller than `Balanced`, several times slower.
    Small,
}

impl PngEncoding {
    /// Every setting, for benchmarks and comparisons.
    pub const ALL: [Self; 3] = [Self::Fast, Self::Balanced, Self::Small];

    fn filter(self) -> png::Filter {
        match self {
            Self::Fast => png::Filter::Paeth,
            Self::Balanced | Self::Small => png::Filter::Adaptive,
        }
    }

    fn deflate(self) -> png::DeflateCompression {
        match self {
            Self::Fast => png::DeflateCompression::FdeflateUltraFast,
            Self::Balanced => png::DeflateCompression::Level(6),
            Self::Small => png::DeflateCompression::Level(9),
        }
    }
}

/// A drawn image: premultiplied RGBA pixels, ready to encode.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pixmap: Pixmap,
}

impl Picture {
    pub(crate) fn new(pixmap: Pixmap) -> Self {
        Self { pixmap }
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
            self.height(),
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
        let (width, height) = (self.width(), self.height());
        encode(self.pixmap.take(), width, height, PngEncoding::default())
    }
}

/// Encodes premultiplied RGBA `data`, converting it in place to what PNG stores.
fn encode(
    mut data: Vec<u8>,
    width: u32,
    height: u32,
    encoding: PngEncoding,
) -> Result<Vec<u8>, RenderError> {
    let opaque = data.chunks_exact(4).all(|pixel| pixel[3] == u8::MAX);
    let colour_type = if opaque {
        // Pack RGBA into RGB from the front: the write position never passes the read one.
        let pixels = data.len() / 4;
        for i in 0..pixels {
            data.copy_within(i * 4..i * 4 + 3, i * 3);
        }
        data.truncate(pixels * 3);
        png::ColorType::Rgb
    } else {
        demultiply(&mut data);
        png::ColorType::Rgba
    };
    let mut out = Vec::with_capacity(data.len() / 4);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(colour_type);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_deflate_compression(encoding.deflate());
    encoder.set_filter(encoding.filter());
    let boxed = |err: png::EncodingError| RenderError::Encode(Box::new(err));
    let mut writer = encoder.write_header().map_err(boxed)?;
    writer.write_image_data(&data).map_err(boxed)?;
    writer.finish().map_err(boxed)?;
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
    fn every_encoding_is_lossless() {
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
            assert_eq!(
                samples(&card.to_png_with(encoding).unwrap()),
                (png::ColorType::Rgba, straight.clone()),
                "card, {encoding:?}"
            );
            assert_eq!(
                samples(&chart.to_png_with(encoding).unwrap()),
                (png::ColorType::Rgb, rgb.clone()),
                "chart, {encoding:?}"
            );
        }
        assert_eq!(
            samples(&card.into_png().unwrap()),
            (png::ColorType::Rgba, straight)
        );
    }
}
