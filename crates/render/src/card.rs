//! The `/rank` card: avatar, name, level, rank and a progress bar, 934×282.

use std::fmt;

use tiny_skia::Pixmap;

use crate::{
    colour::Colour,
    draw,
    error::RenderError,
    filter::Region,
    picture::Picture,
    text::{Line, Weight, thousands},
};

/// Width of a rank card in pixels.
pub const CARD_WIDTH: u32 = 934;
/// Height of a rank card in pixels.
pub const CARD_HEIGHT: u32 = 282;
/// The accent (avatar ring, level, bar) when a guild or member has not chosen one.
pub const DEFAULT_ACCENT: Colour = Colour::BLURPLE;
/// The rank colour of the member ranked first.
pub const RANK_GOLD: Colour = Colour::rgb(0xF1, 0xC4, 0x0F);
/// The rank colour of the member ranked second.
pub const RANK_SILVER: Colour = Colour::rgb(0xC0, 0xC7, 0xD0);
/// The rank colour of the member ranked third.
pub const RANK_BRONZE: Colour = Colour::rgb(0xCD, 0x7F, 0x32);
/// Names are cut to this many characters before they are measured (Discord allows 32).
pub const NAME_MAX_CHARS: usize = 64;
/// The size a name is drawn at when it fits, in pixels per em.
pub const NAME_MAX_PX: f32 = 42.0;
/// The smallest size a long name shrinks to before it is cut with `…`, in pixels per em.
pub const NAME_MIN_PX: f32 = 28.0;
/// How much a long name shrinks per step, in pixels per em.
pub const NAME_STEP_PX: f32 = 2.0;
/// Opacity of the panel laid over a background image: enough to keep the text readable.
pub const BACKGROUND_PANEL_ALPHA: u8 = 0xC0;

const OUTER: Colour = Colour::rgb(0x1E, 0x1F, 0x22);
const PANEL: Colour = Colour::rgb(0x2B, 0x2D, 0x31);
const TRACK: Colour = Colour::rgb(0x40, 0x42, 0x49);
const LABEL: Colour = Colour::rgb(0xB5, 0xBA, 0xC1);
const DEFAULT_AVATAR: Colour = Colour::rgb(0x4E, 0x50, 0x58);

const AVATAR_CENTRE: f32 = 141.0;
const AVATAR_RADIUS: f32 = 100.0;
const AVATAR_SIDE: u32 = 200;
/// The ring is centred on this radius, so its inner edge covers the avatar's rim.
const RING_RADIUS: f32 = 103.0;
const RING_WIDTH: f32 = 6.0;
const OUTER_RADIUS: u32 = 28;
/// Space kept between the name and the XP text.
const NAME_XP_GAP: f32 = 24.0;
const AVATAR_CORNER: u32 = 41;
const TEXT_RIGHT: f32 = 894.0;
const TEXT_LEFT: f32 = 280.0;
const STATS_BASELINE: f32 = 86.0;
const NAME_BASELINE: f32 = 156.0;
const BAR: (f32, f32, f32, f32) = (280.0, 176.0, 614.0, 40.0);

/// Style choices a guild or member can make for their card.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CardOptions<'a> {
    /// Colour of the avatar ring, the level and the progress bar.
    pub accent: Colour,
    /// PNG, JPEG or WebP bytes drawn behind the card, cover-cropped; unreadable bytes draw
    /// the plain design.
    pub background: Option<&'a [u8]>,
    /// Whether the member's rank in the guild is shown next to their level.
    pub show_rank: bool,
}

impl Default for CardOptions<'_> {
    fn default() -> Self {
        Self {
            accent: DEFAULT_ACCENT,
            background: None,
            show_rank: true,
        }
    }
}

/// What a rank card shows: one member's standing in one guild.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RankCard<'a> {
    /// Display name; any text is accepted, it is shrunk or cut to fit.
    pub name: &'a str,
    /// Current level.
    pub level: u64,
    /// Position on the guild leaderboard, 1 for the top.
    pub rank: u64,
    /// XP earned since reaching the current level.
    pub xp: u64,
    /// XP the current level takes to complete; 0 draws a full bar.
    pub xp_required: u64,
    /// PNG, JPEG or WebP bytes of the avatar, any size; `None` or unreadable bytes draw a
    /// default avatar.
    pub avatar: Option<&'a [u8]>,
    /// Accent, background and what to show.
    pub options: CardOptions<'a>,
}

/// Image bytes in `Debug` output: their length, not tens of thousands of numbers.
struct ByteCount<'a>(Option<&'a [u8]>);

impl fmt::Debug for ByteCount<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(bytes) => write!(f, "Some(<{} bytes>)", bytes.len()),
            None => f.write_str("None"),
        }
    }
}

impl fmt::Debug for CardOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardOptions")
            .field("accent", &self.accent)
            .field("background", &ByteCount(self.background))
            .field("show_rank", &self.show_rank)
            .finish()
    }
}

impl fmt::Debug for RankCard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RankCard")
            .field("name", &self.name)
            .field("level", &self.level)
            .field("rank", &self.rank)
            .field("xp", &self.xp)
            .field("xp_required", &self.xp_required)
            .field("avatar", &ByteCount(self.avatar))
            .field("options", &self.options)
            .finish()
    }
}

impl RankCard<'_> {
    /// Draws and encodes the card as PNG.
    ///
    /// # Errors
    ///
    /// [`RenderError::Encode`] if PNG encoding fails, which writing to memory should never do.
    ///
    /// # Examples
    ///
    /// ```
    /// let png = hearth_render::RankCard {
    ///     name: "Ada",
    ///     level: 7,
    ///     rank: 2,
    ///     xp: 120,
    ///     xp_required: 555,
    ///     avatar: None,
    ///     options: hearth_render::CardOptions::default(),
    /// }
    /// .render()?;
    /// assert!(png.starts_with(b"\x89PNG"));
    /// # Ok::<(), hearth_render::RenderError>(())
    /// ```
    pub fn render(&self) -> Result<Vec<u8>, RenderError> {
        self.draw().into_png()
    }

    /// Draws the card, decoding the avatar and background, without encoding it.
    pub fn draw(&self) -> Picture {
        let mut pixmap = draw::canvas(CARD_WIDTH, CARD_HEIGHT);
        let accent = self.options.accent;
        let background = self.draw_panels(&mut pixmap);
        let avatar = draw_avatar(&mut pixmap, self.avatar);
        draw::ring(
            &mut pixmap,
            (AVATAR_CENTRE, AVATAR_CENTRE, RING_RADIUS),
            RING_WIDTH,
            accent,
        );
        self.draw_stats(&mut pixmap);
        let xp_text = Line::new(
            &format!(
                "{} / {} XP",
                thousands(self.xp),
                thousands(self.xp_required)
            ),
            Weight::Regular,
            24.0,
        );
        xp_text.draw(
            &mut pixmap,
            TEXT_RIGHT - xp_text.width(),
            NAME_BASELINE,
            LABEL,
        );
        let name: String = self.name.chars().take(NAME_MAX_CHARS).collect();
        let room = TEXT_RIGHT - xp_text.width() - NAME_XP_GAP - TEXT_LEFT;
        Line::fit(&name, Weight::Bold, &name_sizes(), room).draw(
            &mut pixmap,
            TEXT_LEFT,
            NAME_BASELINE,
            Colour::WHITE,
        );
        self.draw_bar(&mut pixmap);
        let mut picture = Picture::new(pixmap);
        if background {
            picture = picture.with_photo(Region {
                x: 0,
                y: 0,
                width: CARD_WIDTH,
                height: CARD_HEIGHT,
                round: false,
            });
        }
        if avatar {
            picture = picture.with_photo(Region {
                x: AVATAR_CORNER,
                y: AVATAR_CORNER,
                width: AVATAR_SIDE,
                height: AVATAR_SIDE,
                round: true,
            });
        }
        picture
    }

    /// Draws the card and its panel, over the background image if there is one that
    /// decodes; returns whether there was.
    fn draw_panels(&self, pixmap: &mut Pixmap) -> bool {
        draw::fill_rounded(pixmap, (0, 0, CARD_WIDTH, CARD_HEIGHT), OUTER_RADIUS, OUTER);
        let background = self.options.background.and_then(draw::decode);
        let mut photo = false;
        let panel_colour = match background {
            Some(image) => {
                if let Some(image) = draw::resize_cover(&image, CARD_WIDTH, CARD_HEIGHT) {
                    #[allow(clippy::cast_precision_loss)]
                    let [width, height, radius] =
                        [CARD_WIDTH, CARD_HEIGHT, OUTER_RADIUS].map(|v| v as f32);
                    let outer = draw::rounded_rect(0.0, 0.0, width, height, radius);
                    draw::fill_image(pixmap, outer.as_ref(), &image, 0, 0);
                    photo = true;
                }
                PANEL.with_alpha(BACKGROUND_PANEL_ALPHA)
            }
            None => PANEL,
        };
        draw::fill_rounded(pixmap, (16, 16, 902, 250), 20, panel_colour);
        photo
    }

    fn draw_stats(&self, pixmap: &mut Pixmap) {
        let rank_colour = match self.rank {
            1 => RANK_GOLD,
            2 => RANK_SILVER,
            3 => RANK_BRONZE,
            _ => Colour::WHITE,
        };
        let mut items = vec![
            (
                thousands(self.level),
                Weight::Bold,
                44.0,
                self.options.accent,
                8.0,
            ),
            ("LEVEL".to_owned(), Weight::Regular, 22.0, LABEL, 28.0),
        ];
        if self.options.show_rank {
            items.push((
                format!("#{}", thousands(self.rank)),
                Weight::Bold,
                44.0,
                rank_colour,
                8.0,
            ));
            items.push(("RANK".to_owned(), Weight::Regular, 22.0, LABEL, 0.0));
        }
        let mut right = TEXT_RIGHT;
        for (text, weight, px, colour, gap) in items {
            let line = Line::new(&text, weight, px);
            right -= line.width();
            line.draw(pixmap, right, STATS_BASELINE, colour);
            right -= gap;
        }
    }

    fn draw_bar(&self, pixmap: &mut Pixmap) {
        let (x, y, width, height) = BAR;
        let radius = height / 2.0;
        draw::fill(
            pixmap,
            draw::rounded_rect(x, y, width, height, radius).as_ref(),
            TRACK,
        );
        if self.xp == 0 {
            return;
        }
        let progress = if self.xp_required == 0 {
            1.0
        } else {
            #[allow(clippy::cast_precision_loss)]
            let ratio = self.xp as f64 / self.xp_required as f64;
            ratio.min(1.0)
        };
        #[allow(clippy::cast_possible_truncation)]
        let fill = (f64::from(width) * progress) as f32;
        draw::fill(
            pixmap,
            draw::rounded_rect(x, y, fill.max(height), height, radius).as_ref(),
            self.options.accent,
        );
    }
}

/// Name sizes to try, largest first.
fn name_sizes() -> Vec<f32> {
    let mut sizes = vec![NAME_MAX_PX];
    while let Some(&last) = sizes.last()
        && last - NAME_STEP_PX >= NAME_MIN_PX
    {
        sizes.push(last - NAME_STEP_PX);
    }
    sizes
}

/// Draws the avatar, or the default one when the bytes are missing or do not decode;
/// returns whether it was the member's own.
fn draw_avatar(pixmap: &mut Pixmap, avatar: Option<&[u8]>) -> bool {
    let decoded = avatar
        .and_then(draw::decode)
        .and_then(|image| draw::resize_cover(&image, AVATAR_SIDE, AVATAR_SIDE));
    let own = decoded.is_some();
    let image = decoded.unwrap_or_else(default_avatar);
    draw::fill_image_in_circle(
        pixmap,
        &image,
        (AVATAR_CORNER, AVATAR_CORNER),
        (AVATAR_CENTRE, AVATAR_CENTRE, AVATAR_RADIUS),
    );
    own
}

/// A head and shoulders on grey; grey rather than the accent so the ring stays visible.
fn default_avatar() -> Pixmap {
    let mut avatar = draw::canvas(AVATAR_SIDE, AVATAR_SIDE);
    avatar.fill(DEFAULT_AVATAR.to_skia());
    let figure = Colour::WHITE.with_alpha(0xE6);
    let centre = AVATAR_RADIUS;
    draw::fill(
        &mut avatar,
        draw::circle(centre, 71.0, 38.0).as_ref(),
        figure,
    );
    draw::fill(
        &mut avatar,
        draw::rounded_rect(centre - 70.0, 125.0, 140.0, 120.0, 60.0).as_ref(),
        figure,
    );
    avatar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_gives_image_sizes_not_bytes() {
        let card = RankCard {
            name: "Ada",
            level: 1,
            rank: 2,
            xp: 3,
            xp_required: 4,
            avatar: Some(&[0; 1_000]),
            options: CardOptions::default(),
        };
        let debug = format!("{card:?}");
        assert!(debug.contains("avatar: Some(<1000 bytes>)"), "{debug}");
        assert!(debug.contains("background: None"), "{debug}");
    }
}
