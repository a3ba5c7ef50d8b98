//! Points in time, as Discord and our stores see them.

use std::{fmt, time::Duration};

use serde::{Deserialize, Serialize};

/// A point in time: milliseconds since the Unix epoch, UTC.
///
/// Discord snowflakes, stores and rules all agree on this one representation, so no time zone
/// or calendar library is needed below the bot. It is `Copy`, totally ordered, and serialises
/// as a plain integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Self = Self(0);

    /// The first millisecond of Discord's epoch (2015-01-01T00:00:00Z), where snowflakes start.
    pub const DISCORD_EPOCH: Self = Self(1_420_070_400_000);

    /// A timestamp from milliseconds since the Unix epoch.
    pub const fn from_unix_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// A timestamp from whole seconds since the Unix epoch.
    pub const fn from_unix_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1000))
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the Unix epoch, rounded towards the past.
    pub const fn unix_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This time moved `duration` into the future, saturating at the end of representable time.
    #[must_use]
    pub fn saturating_add(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// This time moved `duration` into the past, saturating at the start of representable time.
    #[must_use]
    pub fn saturating_sub(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_sub(millis))
    }

    /// How long after `earlier` this time is; zero when `earlier` is not earlier.
    pub fn duration_since(self, earlier: Self) -> Duration {
        u64::try_from(self.0.saturating_sub(earlier.0))
            .map_or(Duration::ZERO, Duration::from_millis)
    }
}

impl fmt::Display for Timestamp {
    /// Formats as `<unix millis>ms`; the bot renders user-facing times with Discord's
    /// `<t:…:R>` markup instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_towards_the_past() {
        assert_eq!(Timestamp::from_unix_millis(1_999).unix_secs(), 1);
        assert_eq!(Timestamp::from_unix_millis(-1).unix_secs(), -1);
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        let end = Timestamp::from_unix_millis(i64::MAX - 5);
        assert_eq!(
            end.saturating_add(Duration::from_secs(1)).unix_millis(),
            i64::MAX
        );
        let start = Timestamp::from_unix_millis(i64::MIN + 5);
        assert_eq!(
            start.saturating_sub(Duration::from_secs(1)).unix_millis(),
            i64::MIN
        );
        assert_eq!(start.duration_since(end), Duration::ZERO);
        assert_eq!(
            Timestamp::from_unix_secs(90).duration_since(Timestamp::from_unix_secs(30)),
            Duration::from_secs(60)
        );
    }
}
