//! Human durations: what moderators type after `/mute @x` and what the bot writes back.
//!
//! The accepted form is one or more `<number><unit>` parts, optionally separated by spaces
//! (`30s`, `10m`, `1h30m`, `1h 30m`, `7d`, `2w`), or a plain number of seconds (`90`). Units
//! are case-insensitive: `s`/`sec`/`second(s)`, `m`/`min`/`minute(s)`, `h`/`hr`/`hour(s)`,
//! `d`/`day(s)`, `w`/`wk`/`week(s)`. `m` is always minutes; there are no months or years,
//! because their length varies and no moderation action needs them.

use std::{fmt, time::Duration};

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

/// The longest timeout Discord accepts: 28 days from now.
///
/// See Discord Docs/Guild Resource, "Modify Guild Member", `communication_disabled_until`.
pub const TIMEOUT_MAX: Duration = Duration::from_secs(28 * DAY);

/// The longest duration Hearth accepts anywhere (temporary bans, XP boosts, …): 365 days.
///
/// Anything longer is better expressed as permanent.
pub const DURATION_MAX: Duration = Duration::from_secs(365 * DAY);

/// The range a duration must fall in, and what it is for (used in the error message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationBounds {
    /// The shortest accepted duration (inclusive).
    pub min: Duration,
    /// The longest accepted duration (inclusive).
    pub max: Duration,
    /// What the duration is for, as it reads after "for": `"a timeout"`.
    pub what: &'static str,
}

impl DurationBounds {
    /// Any duration from one second to [`DURATION_MAX`].
    pub const ANY: Self = Self {
        min: Duration::from_secs(1),
        max: DURATION_MAX,
        what: "anything",
    };

    /// A Discord timeout: one second to [`TIMEOUT_MAX`] (28 days).
    pub const TIMEOUT: Self = Self {
        min: Duration::from_secs(1),
        max: TIMEOUT_MAX,
        what: "a timeout",
    };

    /// Parses `input` and checks it against these bounds; see [`parse_duration`].
    ///
    /// # Errors
    ///
    /// As [`parse_duration`].
    pub fn parse(&self, input: &str) -> Result<Duration, DurationError> {
        parse_duration(input, self)
    }
}

/// Why a text is not an acceptable duration. Each message tells the member what to type instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    /// Nothing but white space was given.
    #[error("a duration can't be empty; write it like 30s, 10m, 1h30m, 7d or 2w")]
    Empty,
    /// The duration adds up to zero, which no action accepts.
    #[error("a duration must be longer than zero")]
    Zero,
    /// The text does not have the form `<number><unit>…`.
    #[error("`{input}` is not a duration; write it like 30s, 10m, 1h30m, 7d or 2w")]
    Malformed {
        /// The text as given.
        input: String,
    },
    /// A number is followed by something that is not a unit.
    #[error("`{unit}` is not a unit of time; use s, m, h, d or w (as in 1h30m)")]
    UnknownUnit {
        /// The unknown unit as given.
        unit: String,
    },
    /// A number was given after other parts without a unit (`1h30`).
    #[error("`{number}` needs a unit; use s, m, h, d or w (as in 1h30m)")]
    MissingUnit {
        /// The number without a unit.
        number: String,
    },
    /// The number is too large to count in seconds at all.
    #[error("that duration is far too long")]
    Overflow,
    /// Shorter than the bounds allow.
    #[error("durations start at {} for {what}", format_duration_long(*min))]
    TooShort {
        /// The shortest accepted duration.
        min: Duration,
        /// What the duration is for.
        what: &'static str,
    },
    /// Longer than the bounds allow.
    #[error("durations go up to {} for {what}", format_duration_long(*max))]
    TooLong {
        /// The longest accepted duration.
        max: Duration,
        /// What the duration is for.
        what: &'static str,
    },
}

/// Parses a human duration and checks it against `bounds`.
///
/// ```
/// use std::time::Duration;
/// use hearth_core::{DurationBounds, DurationError, parse_duration};
///
/// assert_eq!(parse_duration("1h30m", &DurationBounds::TIMEOUT), Ok(Duration::from_secs(5400)));
/// assert_eq!(parse_duration("90", &DurationBounds::ANY), Ok(Duration::from_secs(90)));
/// assert_eq!(
///     parse_duration("29d", &DurationBounds::TIMEOUT).unwrap_err().to_string(),
///     "durations go up to 28 days for a timeout",
/// );
/// ```
///
/// # Errors
///
/// [`DurationError::Empty`], [`DurationError::Malformed`], [`DurationError::UnknownUnit`],
/// [`DurationError::MissingUnit`] and [`DurationError::Overflow`] for text that is not a
/// duration; [`DurationError::Zero`], [`DurationError::TooShort`] and [`DurationError::TooLong`]
/// for one outside `bounds`.
pub fn parse_duration(input: &str, bounds: &DurationBounds) -> Result<Duration, DurationError> {
    let secs = parse_seconds(input)?;
    if secs == 0 {
        return Err(DurationError::Zero);
    }
    let duration = Duration::from_secs(secs);
    if duration < bounds.min {
        return Err(DurationError::TooShort {
            min: bounds.min,
            what: bounds.what,
        });
    }
    if duration > bounds.max {
        return Err(DurationError::TooLong {
            max: bounds.max,
            what: bounds.what,
        });
    }
    Ok(duration)
}

fn parse_seconds(input: &str) -> Result<u64, DurationError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let malformed = || DurationError::Malformed {
        input: text.to_owned(),
    };
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| DurationError::Overflow);
    }

    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(malformed());
        }
        let (number, after) = rest.split_at(digits);
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after.len());
        if unit_len == 0 {
            return Err(if after.is_empty() {
                DurationError::MissingUnit {
                    number: number.to_owned(),
                }
            } else {
                malformed()
            });
        }
        let (unit, after) = after.split_at(unit_len);
        let scale = unit_seconds(unit).ok_or_else(|| DurationError::UnknownUnit {
            unit: unit.to_owned(),
        })?;
        let value: u64 = number.parse().map_err(|_| DurationError::Overflow)?;
        total = value
            .checked_mul(scale)
            .and_then(|part| total.checked_add(part))
            .ok_or(DurationError::Overflow)?;
        rest = after.trim_start();
    }
    Ok(total)
}

fn unit_seconds(unit: &str) -> Option<u64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => MINUTE,
        "h" | "hr" | "hrs" | "hour" | "hours" => HOUR,
        "d" | "day" | "days" => DAY,
        "w" | "wk" | "wks" | "week" | "weeks" => WEEK,
        _ => return None,
    })
}

/// Formats a duration compactly, as it would be typed: `1h30m`, `2w`, `1w3d`, `45s`.
///
/// Sub-second parts are dropped; zero is `0s`. The output parses back to the same whole
/// seconds with [`parse_duration`].
pub fn format_duration(duration: Duration) -> String {
    let mut secs = duration.as_secs();
    if secs == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (scale, unit) in [
        (WEEK, 'w'),
        (DAY, 'd'),
        (HOUR, 'h'),
        (MINUTE, 'm'),
        (1, 's'),
    ] {
        if secs >= scale {
            out.push_str(&(secs / scale).to_string());
            out.push(unit);
            secs %= scale;
        }
    }
    out
}

/// Formats a duration in words for messages: `1 hour 30 minutes`, `28 days`, `1 second`.
///
/// Weeks are written as days, which is how Discord states its limits. Zero is `0 seconds`.
pub fn format_duration_long(duration: Duration) -> String {
    let mut secs = duration.as_secs();
    if secs == 0 {
        return "0 seconds".to_owned();
    }
    let mut parts = Vec::new();
    for (scale, unit) in [
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
        (1, "second"),
    ] {
        if secs >= scale {
            let n = secs / scale;
            parts.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
            secs %= scale;
        }
    }
    parts.join(" ")
}

/// A duration that displays compactly (`1h30m`); handy in `format!`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compact(pub Duration);

impl fmt::Display for Compact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(s: &str) -> Result<Duration, DurationError> {
        parse_duration(s, &DurationBounds::ANY)
    }

    #[test]
    fn every_documented_form_parses() {
        for (text, secs) in [
            ("30s", 30),
            ("10m", 600),
            ("1h30m", 5_400),
            ("1h 30m", 5_400),
            (" 7d ", 604_800),
            ("2w", 1_209_600),
            ("90", 90),
            ("1H", 3_600),
            ("2 hours", 7_200),
            ("1w2d3h4m5s", 788_645),
            ("3 days 4 minutes", 259_440),
        ] {
            assert_eq!(any(text), Ok(Duration::from_secs(secs)), "{text}");
        }
    }

    #[test]
    fn malformed_text_gets_a_specific_error() {
        assert_eq!(any(""), Err(DurationError::Empty));
        assert_eq!(any("   "), Err(DurationError::Empty));
        assert_eq!(any("0s"), Err(DurationError::Zero));
        assert_eq!(any("0"), Err(DurationError::Zero));
        assert_eq!(any("0h0m"), Err(DurationError::Zero));
        assert_eq!(
            any("1x"),
            Err(DurationError::UnknownUnit { unit: "x".into() })
        );
        assert_eq!(
            any("5mo"),
            Err(DurationError::UnknownUnit { unit: "mo".into() })
        );
        assert_eq!(
            any("1h30"),
            Err(DurationError::MissingUnit {
                number: "30".into()
            })
        );
        assert_eq!(
            any("h"),
            Err(DurationError::Malformed { input: "h".into() })
        );
        assert_eq!(
            any("-5m"),
            Err(DurationError::Malformed {
                input: "-5m".into()
            })
        );
        assert_eq!(
            any("1.5h"),
            Err(DurationError::Malformed {
                input: "1.5h".into()
            })
        );
        assert_eq!(any("99999999999999999999"), Err(DurationError::Overflow));
        assert_eq!(any("99999999999999999w"), Err(DurationError::Overflow));
        assert_eq!(
            any("99999999d"),
            Err(DurationError::TooLong {
                max: DURATION_MAX,
                what: "anything"
            })
        );
    }

    #[test]
    fn timeout_bounds_are_probed_at_their_edges() {
        let t = &DurationBounds::TIMEOUT;
        assert_eq!(parse_duration("0s", t), Err(DurationError::Zero));
        assert_eq!(parse_duration("1s", t), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("28d", t), Ok(TIMEOUT_MAX));
        let just_over = parse_duration(&(TIMEOUT_MAX.as_secs() + 1).to_string(), t);
        assert_eq!(
            just_over,
            Err(DurationError::TooLong {
                max: TIMEOUT_MAX,
                what: "a timeout"
            })
        );
        assert_eq!(
            just_over.unwrap_err().to_string(),
            "durations go up to 28 days for a timeout"
        );
    }

    #[test]
    fn minimum_bound_is_enforced() {
        let bounds = DurationBounds {
            min: Duration::from_secs(60),
            max: Duration::from_secs(3_600),
            what: "slowmode",
        };
        assert_eq!(
            parse_duration("59s", &bounds).unwrap_err().to_string(),
            "durations start at 1 minute for slowmode"
        );
        assert_eq!(parse_duration("60s", &bounds), Ok(Duration::from_secs(60)));
        assert_eq!(
            parse_duration("1h", &bounds),
            Ok(Duration::from_secs(3_600))
        );
        assert!(parse_duration("3601", &bounds).is_err());
    }

    #[test]
    fn any_bounds_end_at_duration_max() {
        assert_eq!(any("365d"), Ok(DURATION_MAX));
        assert_eq!(
            any("31536001"),
            Err(DurationError::TooLong {
                max: DURATION_MAX,
                what: "anything"
            })
        );
    }

    #[test]
    fn compact_format_round_trips() {
        for secs in [
            1, 59, 60, 61, 3_600, 5_400, 86_400, 604_800, 788_645, 31_536_000,
        ] {
            let d = Duration::from_secs(secs);
            assert_eq!(any(&format_duration(d)), Ok(d), "{}", format_duration(d));
        }
        assert_eq!(format_duration(Duration::from_secs(5_400)), "1h30m");
        assert_eq!(format_duration(Duration::from_secs(864_000)), "1w3d");
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(Compact(Duration::from_secs(1_209_600)).to_string(), "2w");
    }

    #[test]
    fn long_format_reads_as_words() {
        assert_eq!(
            format_duration_long(Duration::from_secs(5_400)),
            "1 hour 30 minutes"
        );
        assert_eq!(format_duration_long(TIMEOUT_MAX), "28 days");
        assert_eq!(format_duration_long(Duration::from_secs(1)), "1 second");
        assert_eq!(
            format_duration_long(Duration::from_secs(90_061)),
            "1 day 1 hour 1 minute 1 second"
        );
        assert_eq!(format_duration_long(Duration::ZERO), "0 seconds");
    }
}
