//! Calendar dates for chart axes, in the proleptic Gregorian calendar, UTC.

use std::fmt;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar day, such as the day a count of messages belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01.
    days: i64,
}

impl Date {
    /// Returns the date of `year`-`month`-`day`, or `None` if there is no such day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        let date = Self {
            days: days_from_civil(i64::from(year), i64::from(month), i64::from(day)),
        };
        (date.ymd() == (i64::from(year), month, day)).then_some(date)
    }

    /// Returns the UTC day that contains `unix_secs` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix_secs(unix_secs: i64) -> Self {
        Self {
            days: unix_secs.div_euclid(86_400),
        }
    }

    /// Returns the date `days` later (earlier when negative), saturating at the ends of time.
    #[must_use]
    pub fn add_days(self, days: i64) -> Self {
        Self {
            days: self.days.saturating_add(days),
        }
    }

    /// Returns year, month (1–12) and day (1–31).
    fn ymd(self) -> (i64, u32, u32) {
        // Howard Hinnant's civil_from_days, valid over the whole i64 range we allow.
        let z = self.days.clamp(-(1 << 40), 1 << 40) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        (
            year,
            u32::try_from(month).unwrap_or(1),
            u32::try_from(day).unwrap_or(1),
        )
    }

    /// A short label for an axis tick: `Nov 3`.
    pub(crate) fn short(self) -> String {
        let (_, month, day) = self.ymd();
        format!("{} {day}", MONTHS[(month as usize).saturating_sub(1) % 12])
    }
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl fmt::Display for Date {
    /// Writes the ISO 8601 form, `2026-11-03`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_both_ways() {
        let date = Date::from_ymd(2024, 2, 29).unwrap();
        assert_eq!(date.to_string(), "2024-02-29");
        assert_eq!(date.add_days(1).to_string(), "2024-03-01");
        assert_eq!(Date::from_unix_secs(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_secs(-1).to_string(), "1969-12-31");
        assert_eq!(Date::from_unix_secs(1_764_028_800).short(), "Nov 25");
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert_eq!(Date::from_ymd(2024, 13, 1), None);
        assert_eq!(Date::from_ymd(2024, 4, 31), None);
        assert_eq!(Date::from_ymd(2024, 1, 0), None);
    }
}
