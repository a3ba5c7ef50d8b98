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

impl Timestamp {
    /// The calendar date and time of day in UTC (proleptic Gregorian), to the second.
    pub fn to_utc(self) -> UtcDateTime {
        let secs = self.unix_secs();
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let of_day = secs.rem_euclid(86_400);
        // Each part is below 86,400, so the casts are exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let part = |n: i64| n as u32;
        UtcDateTime {
            year,
            month,
            day,
            hour: part(of_day / 3_600),
            minute: part(of_day % 3_600 / 60),
            second: part(of_day % 60),
        }
    }
}

/// A point in time as a UTC calendar date and time of day; displays as
/// `2024-01-15 10:30:00 UTC`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcDateTime {
    /// The year (proleptic Gregorian; may be 0 or negative long ago).
    pub year: i64,
    /// The month, 1–12.
    pub month: u32,
    /// The day of the month, 1–31.
    pub day: u32,
    /// The hour, 0–23.
    pub hour: u32,
    /// The minute, 0–59.
    pub minute: u32,
    /// The second, 0–59.
    pub second: u32,
}

impl fmt::Display for UtcDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Howard Hinnant's `civil_from_days`: the date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Far beyond any real date; keeps the arithmetic from overflowing.
    let z = days.clamp(-(1 << 40), 1 << 40) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (yoe + era * 400 + i64::from(month <= 2), month, day)
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
    fn utc_dates_follow_the_gregorian_calendar() {
        let utc = |secs| Timestamp::from_unix_secs(secs).to_utc().to_string();
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_705_314_600), "2024-01-15 10:30:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(4_107_542_399), "2100-02-28 23:59:59 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(Timestamp::from_unix_millis(1_999).to_utc().second, 1);
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
