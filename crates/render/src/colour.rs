//! Colours, as members and staff type them (`#5865F2`).

use std::{fmt, str::FromStr};

use crate::error::RenderError;

/// An sRGB colour with straight (not premultiplied) alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Colour {
    /// Red, 0–255.
    pub r: u8,
    /// Green, 0–255.
    pub g: u8,
    /// Blue, 0–255.
    pub b: u8,
    /// Opacity, 0 (transparent) – 255 (opaque).
    pub a: u8,
}

impl Colour {
    /// White, the colour of names and ordinary ranks.
    pub const WHITE: Self = Self::rgb(0xFF, 0xFF, 0xFF);
    /// Discord's blurple `#5865F2`, the default accent.
    pub const BLURPLE: Self = Self::rgb(0x58, 0x65, 0xF2);

    /// Returns an opaque colour.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b, a: 0xFF }
    }

    /// Returns an opaque colour from a `0xRRGGBB` integer, the form Discord uses for role colours.
    pub const fn from_u32(rgb: u32) -> Self {
        let [_, r, g, b] = rgb.to_be_bytes();
        Self::rgb(r, g, b)
    }

    /// Returns the same colour with the given opacity.
    #[must_use]
    pub const fn with_alpha(self, a: u8) -> Self {
        Self { a, ..self }
    }

    pub(crate) fn to_skia(self) -> tiny_skia::Color {
        tiny_skia::Color::from_rgba8(self.r, self.g, self.b, self.a)
    }
}

impl FromStr for Colour {
    type Err = RenderError;

    /// Parses `#RRGGBB` or `RRGGBB` (also `#RGB`), case-insensitive, surrounding spaces ignored.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let invalid = || RenderError::InvalidColour {
            input: input.chars().take(32).collect(),
        };
        let hex = input.trim();
        let hex = hex.strip_prefix('#').unwrap_or(hex);
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let value = u32::from_str_radix(hex, 16).map_err(|_| invalid())?;
        match hex.len() {
            6 => Ok(Self::from_u32(value)),
            3 => {
                let [_, _, hi, lo] = value.to_be_bytes();
                let (r, g, b) = (hi & 0x0F, lo >> 4, lo & 0x0F);
                Ok(Self::rgb(r * 17, g * 17, b * 17))
            }
            _ => Err(invalid()),
        }
    }
}

impl fmt::Display for Colour {
    /// Writes `#RRGGBB`, or `#RRGGBBAA` when the colour is not opaque.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02X}{:02X}{:02X}", self.r, self.g, self.b)?;
        if self.a != 0xFF {
            write!(f, "{:02X}", self.a)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colours_parse_in_the_forms_people_type() {
        assert_eq!("#5865F2".parse::<Colour>().unwrap(), Colour::BLURPLE);
        assert_eq!(" 5865f2 ".parse::<Colour>().unwrap(), Colour::BLURPLE);
        assert_eq!("#fff".parse::<Colour>().unwrap(), Colour::WHITE);
        assert_eq!(Colour::from_u32(0x00F1_C40F).to_string(), "#F1C40F");
    }

    #[test]
    fn malformed_colours_are_refused_with_the_input() {
        for bad in ["", "#", "#12345", "#GGGGGG", "+12345", "#1234567", "red"] {
            let err = bad.parse::<Colour>().unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("{bad:?} is not a colour like #5865F2")
            );
        }
    }
}
