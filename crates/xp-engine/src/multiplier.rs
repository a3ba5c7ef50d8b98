//! Multipliers: a guild's XP rate and a boost's factor, in whole hundredths.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;

/// A factor applied to XP, held in hundredths (percent) so all arithmetic stays in integers:
/// `Multiplier::from_percent(150)` is 1.5×.
///
/// It serialises as the plain number of hundredths (`150`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Multiplier(u32);

impl Multiplier {
    /// 0×: nothing.
    pub const ZERO: Self = Self(0);
    /// 1×: unchanged.
    pub const ONE: Self = Self(100);

    /// A multiplier of `percent` hundredths (`200` is 2×). Unchecked: the setting it goes into
    /// checks its own bounds.
    pub const fn from_percent(percent: u32) -> Self {
        Self(percent)
    }

    /// The multiplier in hundredths.
    pub const fn percent(self) -> u32 {
        self.0
    }

    /// `xp` times this multiplier, rounded down, saturating at `u64::MAX`.
    pub fn apply(self, xp: u64) -> u64 {
        let scaled = u128::from(xp) * u128::from(self.0) / 100;
        u64::try_from(scaled).unwrap_or(u64::MAX)
    }

    /// Reads a multiplier as a member types it: `2`, `1.5`, `1.25x`, `3×`, `150%`. At most
    /// two decimals; white space around it is ignored. Bounds are checked by whatever the
    /// multiplier is for ([`XpRate`](crate::XpRate), [`NewBoost`](crate::NewBoost)).
    ///
    /// ```
    /// use hearth_xp_engine::Multiplier;
    ///
    /// assert_eq!(Multiplier::parse("1.5x").unwrap(), Multiplier::from_percent(150));
    /// assert_eq!(Multiplier::parse(" 2 ").unwrap().to_string(), "2×");
    /// assert_eq!(Multiplier::parse("150%").unwrap().to_string(), "1.5×");
    /// assert!(Multiplier::parse("1.234").is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotAMultiplier`] when the text is not such a number.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let refuse = || Error::NotAMultiplier {
            text: hearth_core::text::truncate(text.trim(), 32).into_owned(),
        };
        let trimmed = text.trim();
        if let Some(percent) = trimmed.strip_suffix('%') {
            return digits(percent.trim_end()).map(Self).ok_or_else(refuse);
        }
        let number = trimmed
            .strip_suffix(['x', 'X', '×'])
            .unwrap_or(trimmed)
            .trim_end();
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if fraction.len() > 2 || (whole.is_empty() && fraction.is_empty()) {
            return Err(refuse());
        }
        let whole = if whole.is_empty() {
            0
        } else {
            digits(whole).ok_or_else(refuse)?
        };
        let hundredths = match fraction.len() {
            0 => 0,
            1 => digits(fraction).ok_or_else(refuse)? * 10,
            _ => digits(fraction).ok_or_else(refuse)?,
        };
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(hundredths))
            .map(Self)
            .ok_or_else(refuse)
    }
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl fmt::Display for Multiplier {
    /// `2×`, `1.5×`, `1.25×`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, hundredths) = (self.0 / 100, self.0 % 100);
        match hundredths {
            0 => write!(f, "{whole}×"),
            h if h % 10 == 0 => write!(f, "{whole}.{}×", h / 10),
            h => write!(f, "{whole}.{h:02}×"),
        }
    }
}

/// The lowest XP rate a guild can set: 0×, which turns message XP off.
pub const XP_RATE_MIN: Multiplier = Multiplier::ZERO;
/// The highest XP rate a guild can set: 5×.
pub const XP_RATE_MAX: Multiplier = Multiplier::from_percent(500);

/// A guild's XP rate: every message grant is multiplied by it; [`XP_RATE_MIN`] (0×) to
/// [`XP_RATE_MAX`] (5×), 1× by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Multiplier", into = "Multiplier")]
pub struct XpRate(Multiplier);

impl XpRate {
    /// 1×, the default.
    pub const NORMAL: Self = Self(Multiplier::ONE);

    /// Checks a rate.
    ///
    /// ```
    /// use hearth_xp_engine::{Error, Multiplier, XpRate};
    ///
    /// assert!(XpRate::new(Multiplier::from_percent(500)).is_ok());
    /// assert!(matches!(
    ///     XpRate::new(Multiplier::from_percent(501)),
    ///     Err(Error::RateOutOfRange { .. })
    /// ));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::RateOutOfRange`] outside [`XP_RATE_MIN`]..=[`XP_RATE_MAX`].
    pub fn new(rate: Multiplier) -> Result<Self, Error> {
        if (XP_RATE_MIN..=XP_RATE_MAX).contains(&rate) {
            Ok(Self(rate))
        } else {
            Err(Error::RateOutOfRange {
                min: XP_RATE_MIN,
                max: XP_RATE_MAX,
                given: rate,
            })
        }
    }

    /// The rate as a multiplier.
    pub const fn multiplier(self) -> Multiplier {
        self.0
    }
}

impl Default for XpRate {
    fn default() -> Self {
        Self::NORMAL
    }
}

impl TryFrom<Multiplier> for XpRate {
    type Error = Error;

    fn try_from(rate: Multiplier) -> Result<Self, Error> {
        Self::new(rate)
    }
}

impl From<XpRate> for Multiplier {
    fn from(rate: XpRate) -> Self {
        rate.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_the_forms_members_type() {
        for (text, percent) in [
            ("2", 200),
            ("2x", 200),
            ("2 ×", 200),
            ("1.5", 150),
            ("1.25X", 125),
            (".5", 50),
            ("0", 0),
            ("250%", 250),
        ] {
            assert_eq!(
                Multiplier::parse(text).unwrap().percent(),
                percent,
                "{text}"
            );
        }
        for text in [
            "",
            "x",
            "-1",
            "1.234",
            "one",
            "1.5.5",
            "99999999999",
            "%",
            "1e3",
        ] {
            assert!(
                matches!(Multiplier::parse(text), Err(Error::NotAMultiplier { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn display_drops_trailing_zeros() {
        let shown = [100, 150, 125, 5, 1_000].map(|p| Multiplier::from_percent(p).to_string());
        assert_eq!(shown, ["1×", "1.5×", "1.25×", "0.05×", "10×"]);
    }

    #[test]
    fn apply_rounds_down_and_saturates() {
        assert_eq!(Multiplier::from_percent(150).apply(15), 22);
        assert_eq!(Multiplier::ZERO.apply(25), 0);
        assert_eq!(Multiplier::from_percent(500).apply(u64::MAX), u64::MAX);
    }

    #[test]
    fn rate_bounds_are_probed() {
        assert!(XpRate::new(XP_RATE_MIN).is_ok());
        assert!(XpRate::new(XP_RATE_MAX).is_ok());
        let err = XpRate::new(Multiplier::from_percent(XP_RATE_MAX.percent() + 1)).unwrap_err();
        assert_eq!(err.to_string(), "the XP rate goes from 0× to 5×, not 5.01×");
        let rate: Result<XpRate, _> = serde_json::from_str("600");
        assert!(rate.is_err());
        assert_eq!(serde_json::to_string(&XpRate::NORMAL).unwrap(), "100");
    }
}
