//! Per-member limits: at most N open tickets, and at most M opened per time window.
//!
//! The second limit is what stops a member from opening and closing tickets in a loop to flood
//! the staff, which an open-tickets cap alone allows. Stores apply [`MemberLimits::check`] in the
//! same atomic step that takes the ticket number, so two clicks at once cannot both pass.

use std::time::Duration;

use hearth_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Error, SettingsError, settings::duration_in};

/// The default cap on open tickets per member.
pub const MAX_OPEN_DEFAULT: u32 = 1;
/// The highest cap on open tickets per member.
pub const MAX_OPEN_LIMIT: u32 = 25;
/// The default number of tickets a member may open per window.
pub const MAX_PER_WINDOW_DEFAULT: u32 = 3;
/// The highest number of tickets per window.
pub const MAX_PER_WINDOW_LIMIT: u32 = 100;
/// The default window.
pub const WINDOW_DEFAULT: Duration = Duration::from_secs(24 * 3_600);
/// The shortest window.
pub const WINDOW_MIN: Duration = Duration::from_secs(60);
/// The longest window.
pub const WINDOW_MAX: Duration = Duration::from_secs(30 * 24 * 3_600);

/// How many tickets one member may have open and may open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLimits {
    /// At most this many active (not closed) tickets.
    pub max_open: u32,
    /// At most this many tickets opened within [`window`](Self::window) (closed ones count).
    pub max_per_window: u32,
    /// The window, in seconds when stored.
    #[serde(with = "secs")]
    pub window: Duration,
}

impl Default for MemberLimits {
    fn default() -> Self {
        Self {
            max_open: MAX_OPEN_DEFAULT,
            max_per_window: MAX_PER_WINDOW_DEFAULT,
            window: WINDOW_DEFAULT,
        }
    }
}

/// Which limit a member hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitHit {
    /// They have `max` active tickets.
    TooManyOpen {
        /// The limit.
        max: u32,
    },
    /// They opened `max` tickets within the window; the oldest leaves it at `retry_at`.
    TooManyRecent {
        /// The limit.
        max: u32,
        /// The window.
        window: Duration,
        /// When they may open again.
        retry_at: Timestamp,
    },
}

impl From<LimitHit> for Error {
    fn from(hit: LimitHit) -> Self {
        match hit {
            LimitHit::TooManyOpen { max } => Error::TooManyOpen { max },
            LimitHit::TooManyRecent {
                max,
                window,
                retry_at,
            } => Error::TooManyRecent {
                max,
                window,
                retry_at,
            },
        }
    }
}

impl MemberLimits {
    /// The start of the window that ends at `now` (exclusive: a ticket opened exactly
    /// `window` ago no longer counts).
    pub fn window_start(&self, now: Timestamp) -> Timestamp {
        now.saturating_sub(self.window)
    }

    /// Whether a member with `open` active tickets, who opened tickets at `opened` (any
    /// order; those outside the window are ignored), may open one at `now`.
    ///
    /// # Errors
    ///
    /// The [`LimitHit`]; the open cap is reported first.
    pub fn check(&self, open: u32, opened: &[Timestamp], now: Timestamp) -> Result<(), LimitHit> {
        if open >= self.max_open {
            return Err(LimitHit::TooManyOpen { max: self.max_open });
        }
        let start = self.window_start(now);
        let mut recent: Vec<Timestamp> = opened.iter().copied().filter(|t| *t > start).collect();
        if recent.len() >= self.max_per_window as usize {
            recent.sort_unstable();
            // The (len - max + 1)-th oldest must leave the window before there is room.
            let leaving = recent[recent.len() - self.max_per_window as usize];
            return Err(LimitHit::TooManyRecent {
                max: self.max_per_window,
                window: self.window,
                retry_at: leaving.saturating_add(self.window),
            });
        }
        Ok(())
    }

    /// Checks the limits' ranges.
    ///
    /// # Errors
    ///
    /// [`SettingsError::OutOfRange`].
    pub fn validate(&self) -> Result<(), SettingsError> {
        for (what, given, max) in [
            ("the open-ticket limit", self.max_open, MAX_OPEN_LIMIT),
            (
                "the tickets-per-window limit",
                self.max_per_window,
                MAX_PER_WINDOW_LIMIT,
            ),
        ] {
            if !(1..=max).contains(&given) {
                return Err(SettingsError::OutOfRange {
                    what,
                    min: 1,
                    max: u64::from(max),
                    given: u64::from(given),
                });
            }
        }
        duration_in(
            "the limit window (seconds)",
            self.window,
            WINDOW_MIN,
            WINDOW_MAX,
        )
    }
}

/// Durations as whole seconds in stored settings.
pub(crate) mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3_600);

    fn limits(max_open: u32, max_per_window: u32) -> MemberLimits {
        MemberLimits {
            max_open,
            max_per_window,
            window: HOUR,
        }
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix_secs(secs)
    }

    #[test]
    fn the_open_cap_is_probed_at_its_edge() {
        let l = limits(2, 10);
        assert_eq!(l.check(1, &[], at(0)), Ok(()));
        assert_eq!(
            l.check(2, &[], at(0)),
            Err(LimitHit::TooManyOpen { max: 2 })
        );
    }

    #[test]
    fn the_window_cap_counts_only_the_window_and_says_when_to_retry() {
        let l = limits(10, 3);
        let now = at(10_000);
        // Two inside, one exactly a window ago (outside): room for one more.
        assert_eq!(l.check(0, &[at(6_400), at(9_000), at(7_000)], now), Ok(()));
        let three = [at(9_000), at(6_401), at(8_000)];
        assert_eq!(
            l.check(0, &three, now),
            Err(LimitHit::TooManyRecent {
                max: 3,
                window: HOUR,
                retry_at: at(10_001)
            })
        );
        let four = [at(9_000), at(6_401), at(8_000), at(9_500)];
        assert_eq!(
            l.check(0, &four, now),
            Err(LimitHit::TooManyRecent {
                max: 3,
                window: HOUR,
                retry_at: at(11_600)
            })
        );
        let err: Error = l.check(0, &three, now).unwrap_err().into();
        assert_eq!(
            err.to_string(),
            "you can open 3 tickets per 1 hour; try again <t:10001:R>"
        );
    }

    #[test]
    fn limits_are_validated() {
        assert_eq!(MemberLimits::default().validate(), Ok(()));
        assert!(limits(0, 1).validate().is_err());
        assert_eq!(limits(MAX_OPEN_LIMIT, 1).validate(), Ok(()));
        assert!(limits(MAX_OPEN_LIMIT + 1, 1).validate().is_err());
        assert!(limits(1, MAX_PER_WINDOW_LIMIT + 1).validate().is_err());
        let mut short = limits(1, 1);
        short.window = WINDOW_MIN.saturating_sub(Duration::from_secs(1));
        assert!(short.validate().is_err());
        short.window = WINDOW_MIN;
        assert_eq!(short.validate(), Ok(()));
    }
}
