//! Text on a pixmap: the bundled fonts, fallback per character, measuring and drawing one line.
//!
//! There is no shaping (`ab_glyph` draws glyphs, it does not shape), so scripts that need
//! contextual forms (Arabic, Indic) come out as isolated letters — legible, never a panic.

use std::sync::LazyLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, point};
use tiny_skia::Pixmap;

use crate::colour::Colour;

/// `DejaVuSans.ttf`, the text face (Bitstream Vera licence, see `fonts/`).
const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// `DejaVuSans-Bold.ttf`, for names and figures.
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
/// `DroidSansFallbackFull.ttf` (Apache-2.0): Chinese, Japanese and Korean, which the first two lack.
const FALLBACK: &[u8] = include_bytes!("../fonts/DroidSansFallbackFull.ttf");

/// Drawn where no bundled font has the character, so members see that something was there.
const REPLACEMENT: char = '\u{FFFD}';
/// Appended to a name cut to fit.
pub(crate) const ELLIPSIS: char = '…';

struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    fallback: FontRef<'static>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    // The bytes are compiled in and tested, so a parse failure is a broken build, not input.
    let parse = |bytes| FontRef::try_from_slice(bytes).expect("bundled font parses");
    Fonts {
        regular: parse(REGULAR),
        bold: parse(BOLD),
        fallback: parse(FALLBACK),
    }
});

/// Which bundled face a line is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One glyph placed on a line, `x` from the line's start.
#[derive(Clone, Copy)]
struct Placed {
    font: &'static FontRef<'static>,
    id: GlyphId,
    x: f32,
    /// Where the next glyph would start: the width of the line up to and including this glyph.
    end: f32,
    /// Index of the source character, to cut a line between characters.
    char_index: usize,
}

/// A laid-out line of text at one size.
pub(crate) struct Line {
    glyphs: Vec<Placed>,
    px: f32,
}

impl std::fmt::Debug for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Line")
            .field("glyphs", &self.glyphs.len())
            .field("px", &self.px)
            .finish()
    }
}

/// Characters that have no visible form of their own (Unicode's default-ignorable code points
/// and controls); drawing a replacement box for them would decorate every name that uses a
/// zero-width joiner or a variation selector.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Scale factor from font units to pixels for a font size in CSS pixels (the em).
fn px_per_unit(font: &FontRef<'_>, px: f32) -> f32 {
    px / font.units_per_em().unwrap_or(2048.0)
}

impl Line {
    /// Lays out `text` on one line at `px` pixels per em, choosing a font for each character.
    pub(crate) fn new(text: &str, weight: Weight, px: f32) -> Self {
        let fonts = &*FONTS;
        let primary = match weight {
            Weight::Regular => &fonts.regular,
            Weight::Bold => &fonts.bold,
        };
        let mut glyphs: Vec<Placed> = Vec::with_capacity(text.len());
        let mut x = 0.0;
        for (char_index, c) in text.chars().enumerate() {
            if is_invisible(c) {
                continue;
            }
            let (font, id) = [primary, &fonts.fallback]
                .into_iter()
                .map(|font| (font, font.glyph_id(c)))
                .find(|(_, id)| id.0 != 0)
                .unwrap_or((primary, primary.glyph_id(REPLACEMENT)));
            let scale = px_per_unit(font, px);
            if let Some(previous) = glyphs.last()
                && std::ptr::eq(previous.font, font)
            {
                x += font.kern_unscaled(previous.id, id) * scale;
            }
            let end = x + font.h_advance_unscaled(id) * scale;
            glyphs.push(Placed {
                font,
                id,
                x,
                end,
                char_index,
            });
            x = end;
        }
        Self { glyphs, px }
    }

    /// Lays out `text` no wider than `max_width`: the largest size from `sizes` that fits,
    /// else the last size cut between characters with an ellipsis appended.
    pub(crate) fn fit(text: &str, weight: Weight, sizes: &[f32], max_width: f32) -> Self {
        let mut line = Self::new(text, weight, 0.0);
        for &px in sizes {
            line = Self::new(text, weight, px);
            if line.width() <= max_width {
                return line;
            }
        }
        let px = line.px;
        let ellipsis = Self::new(&ELLIPSIS.to_string(), weight, px).width();
        let keep = line
            .glyphs
            .iter()
            .take_while(|glyph| glyph.end + ellipsis <= max_width)
            .last()
            .map_or(0, |glyph| glyph.char_index + 1);
        let mut cut: String = text.chars().take(keep).collect();
        cut.truncate(cut.trim_end().len());
        cut.push(ELLIPSIS);
        Self::new(&cut, weight, px)
    }

    /// The advance width of the whole line, in pixels.
    pub(crate) fn width(&self) -> f32 {
        self.glyphs.last().map_or(0.0, |glyph| glyph.end)
    }

    /// The size the line was set at, in pixels per em.
    #[cfg(test)]
    fn px(&self) -> f32 {
        self.px
    }

    /// Draws the line with its start at `x` and its baseline at `baseline`.
    pub(crate) fn draw(&self, pixmap: &mut Pixmap, x: f32, baseline: f32, colour: Colour) {
        let (width, height) = (pixmap.width(), pixmap.height());
        let data = pixmap.data_mut();
        let alpha = f32::from(colour.a) / 255.0;
        let rgb = [colour.r, colour.g, colour.b].map(|c| f32::from(c) / 255.0);
        for glyph in &self.glyphs {
            let font = glyph.font;
            // ab_glyph's PxScale is the height from descent to ascent, not the em.
            let scale = PxScale::from(px_per_unit(font, self.px) * font.height_unscaled());
            let positioned = glyph
                .id
                .with_scale_and_position(scale, point(x + glyph.x, baseline));
            let Some(outlined) = font.outline_glyph(positioned) else {
                continue;
            };
            let bounds = outlined.px_bounds();
            // Bounds are whole pixels by construction; the casts only drop the `.0`.
            #[allow(clippy::cast_possible_truncation)]
            let (left, top) = (bounds.min.x as i64, bounds.min.y as i64);
            outlined.draw(|gx, gy, coverage| {
                let (px, py) = (left + i64::from(gx), top + i64::from(gy));
                if px < 0 || py < 0 || px >= i64::from(width) || py >= i64::from(height) {
                    return;
                }
                let a = coverage.clamp(0.0, 1.0) * alpha;
                if a <= 0.0 {
                    return;
                }
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let index = (py as usize * width as usize + px as usize) * 4;
                blend(&mut data[index..index + 4], rgb, a);
            });
        }
    }
}

/// Source-over of a straight colour with opacity `a` onto one premultiplied RGBA pixel.
fn blend(pixel: &mut [u8], rgb: [f32; 3], a: f32) {
    let keep = 1.0 - a;
    for (channel, source) in pixel[..3].iter_mut().zip(rgb) {
        *channel = to_u8(source * a * 255.0 + f32::from(*channel) * keep);
    }
    pixel[3] = to_u8(a * 255.0 + f32::from(pixel[3]) * keep);
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn to_u8(value: f32) -> u8 {
    // `as` saturates; adding ½ rounds without the slow libm `round` call.
    (value + 0.5) as u8
}

/// Formats an integer with a comma every three digits: `1234567` → `1,234,567`.
pub(crate) fn thousands(value: impl Into<i128>) -> String {
    let value: i128 = value.into();
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators_every_three_digits() {
        assert_eq!(thousands(0_u8), "0");
        assert_eq!(thousands(999_u32), "999");
        assert_eq!(thousands(1_000_u32), "1,000");
        assert_eq!(thousands(1_234_567_u64), "1,234,567");
        assert_eq!(thousands(-12_345_i64), "-12,345");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn characters_missing_from_dejavu_come_from_the_fallback_font() {
        let line = Line::new("a漢", Weight::Regular, 20.0);
        assert!(std::ptr::eq(line.glyphs[0].font, &raw const FONTS.regular));
        assert!(std::ptr::eq(line.glyphs[1].font, &raw const FONTS.fallback));
        assert_ne!(line.glyphs[1].id.0, 0);
    }

    #[test]
    fn characters_no_font_has_become_a_visible_replacement() {
        // Linear B is in neither bundled font.
        let line = Line::new("\u{10000}", Weight::Bold, 20.0);
        assert_eq!(line.glyphs[0].id, FONTS.bold.glyph_id(REPLACEMENT));
        assert!(line.width() > 5.0);
    }

    #[test]
    fn invisible_characters_take_no_space() {
        let plain = Line::new("ab", Weight::Regular, 20.0).width();
        let joined = Line::new("a\u{200D}\u{FE0F}\nb", Weight::Regular, 20.0).width();
        assert!((plain - joined).abs() < 0.01, "{plain} vs {joined}");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis_to_fit() {
        let sizes = [42.0, 40.0, 38.0];
        let short = Line::fit("Ada", Weight::Bold, &sizes, 300.0);
        assert!((short.px() - 42.0).abs() < f32::EPSILON);
        let long = Line::fit(&"W".repeat(40), Weight::Bold, &sizes, 300.0);
        assert!((long.px() - 38.0).abs() < f32::EPSILON);
        assert!(long.width() <= 300.0);
        assert!(long.width() > 250.0, "cut too early: {}", long.width());
        let nothing_fits = Line::fit("Ada", Weight::Bold, &sizes, 1.0);
        assert_eq!(nothing_fits.glyphs.len(), 1, "only the ellipsis is left");
    }
}
